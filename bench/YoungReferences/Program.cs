using System.Globalization;
using System.Runtime.InteropServices;
using DosAi.Orleans.Bench.YoungReferences;
using Microsoft.Diagnostics.Runtime;

// Usage: YoungReferences <heap.dmp> [rows]
// Reads a heap dump (dotnet-dump collect --type Heap) taken on this machine, so the runtime's own DAC reads it.
if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: dotnet bench/YoungReferences/bin/Release/net10.0/DosAi.Orleans.Bench.YoungReferences.dll <heap.dmp> [rows]");
    return 2;
}

var rows = args.Length == 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 25;
using var dump = DataTarget.LoadDump(args[0]);
// Dumps written by dotnet-dump carry no runtime version for ClrMD to match the DAC against: same machine, same runtime.
var dac = Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "libmscordaccore.so");
using var runtime = dump.ClrVersions[0].CreateRuntime(dac, ignoreMismatch: true);
var heap = runtime.Heap;
var census = HeapCensus.Take(heap);
var culture = CultureInfo.InvariantCulture;

Console.WriteLine(string.Create(culture,
    $"Older objects holding gen0 references: {census.OlderHolders.Sum(count => count.Objects)} objects, {census.OlderHolders.Sum(count => count.Amount)} references, on {census.Cards} distinct 256-byte cards."));
PrintTable("gen0 references", "[generation] type", census.OlderHolders);

Console.WriteLine();
Console.WriteLine(string.Create(culture,
    $"Reachable gen0 objects (what the next gen0 GC promotes): {census.LiveYoung.Sum(count => count.Objects)} objects, {census.LiveYoung.Sum(count => count.Amount) / 1e6:0.00} MB."));
PrintTable("bytes", "type", census.LiveYoung);

return 0;

void PrintTable(string amount, string type, IEnumerable<TypeCount> counts)
{
    Console.WriteLine($"| objects | {amount} | {type} |");
    Console.WriteLine("|---:|---:|---|");
    foreach (var count in counts.Take(rows))
    {
        Console.WriteLine(string.Create(culture, $"| {count.Objects} | {count.Amount} | {count.Type} |"));
    }
}
