namespace DosAi.Orleans.Bench.Runner;

/// <summary>A child stopped before it was ready because another socket held an address it had to listen on.</summary>
public sealed class PortTakenException(string message) : InvalidOperationException(message);
