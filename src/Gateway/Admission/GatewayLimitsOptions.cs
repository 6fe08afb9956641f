namespace DosAi.Orleans.Gateway.Admission;

/// <summary>Configuration section <c>Limits</c>.</summary>
public sealed class GatewayLimitsOptions
{
    public const string Section = "Limits";

    /// <summary>Completion tokens counted for TPM and credit estimates when a request names no cap.</summary>
    public int DefaultCompletionTokens { get; set; } = 1024;

    /// <summary>Largest accepted <c>/v1/*</c> request body; larger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 8 * 1024 * 1024;
}
