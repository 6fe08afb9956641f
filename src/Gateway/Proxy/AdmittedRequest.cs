using DosAi.Orleans.Grains.Interfaces.ApiKeys;

namespace DosAi.Orleans.Gateway.Proxy;

/// <summary>Per-request feature: the admission the response headers are stamped from.</summary>
public sealed record AdmittedRequest(RateLimitSnapshot Limits);
