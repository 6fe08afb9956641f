using BenchmarkDotNet.Attributes;
using DosAi.Orleans.Gateway.Admission;

namespace DosAi.Orleans.Bench.Micro;

/// <summary>Per request before any grain call: the key's checksum, then its SHA-256 (the grain's id).</summary>
public class ApiKeyBenchmarks
{
    private readonly string key = ApiKeyFormat.Generate();

    [Benchmark]
    public bool Checksum() => ApiKeyFormat.IsWellFormed(key);

    [Benchmark]
    public string Hash() => ApiKeyFormat.Hash(key);

    [Benchmark]
    public string ChecksumAndHash() => ApiKeyFormat.IsWellFormed(key) ? ApiKeyFormat.Hash(key) : "";
}
