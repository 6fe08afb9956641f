using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;
using DosAi.Orleans.Bench.Micro;

// In process: a generated benchmark project would inherit the repository's central package management
// and warnings-as-errors. Other arguments are BenchmarkDotNet's own (--filter, --job short, …).
var config = DefaultConfig.Instance
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithArtifactsPath(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.runs/micro")));
BenchmarkSwitcher.FromAssembly(typeof(ApiKeyBenchmarks).Assembly).Run(["--inProcess", .. args], config);
