using System.Diagnostics.Metrics;
using DosAi.Orleans.Gateway.Metering;

namespace DosAi.Orleans.Gateway.Hosting;

/// <summary>The gateway's own OpenTelemetry meter. Tags never carry keys or account data.</summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "DosAi.Gateway";

    private readonly Counter<long> requests;
    private readonly Counter<long> tokens;
    private readonly Counter<long> charged;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        requests = meter.CreateCounter<long>("dosai.gateway.requests", description: "Inference requests by outcome class");
        tokens = meter.CreateCounter<long>("dosai.gateway.tokens", description: "Metered tokens");
        charged = meter.CreateCounter<long>("dosai.gateway.credits_charged", unit: "µUSD", description: "Credits charged");
        AdmissionLatency = meter.CreateHistogram<double>("dosai.gateway.admission.duration", unit: "ms", description: "Time spent in the admission grain call");
    }

    public Histogram<double> AdmissionLatency { get; }

    public void CountRequest(int status) => requests.Add(1, new KeyValuePair<string, object?>("outcome", status switch
    {
        401 => "401",
        402 => "402",
        429 => "429",
        >= 500 => "5xx",
        >= 400 => "4xx",
        _ => "2xx",
    }));

    public void CountUsage(Usage usage, long costMicros)
    {
        tokens.Add(usage.PromptTokens, new KeyValuePair<string, object?>("kind", "prompt"));
        tokens.Add(usage.CompletionTokens, new KeyValuePair<string, object?>("kind", "completion"));
        charged.Add(costMicros);
    }
}
