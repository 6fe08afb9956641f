using BenchmarkDotNet.Attributes;
using DosAi.Orleans.Gateway.Metering;
using Microsoft.ML.Tokenizers;

namespace DosAi.Orleans.Bench.Micro;

/// <summary>
/// Prompt counting on 20,000 characters of prose and of the runs that make byte-pair merging quadratic (one
/// word, one stretch of spaces): the gateway's <see cref="TokenCounter"/> against the tokenizer called on the
/// whole text, which is the baseline.
/// </summary>
public class TokenCountBenchmarks
{
    private static readonly TiktokenTokenizer Tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");
    private static readonly TokenCounter Counter = new();

    [Params("prose", "one word", "spaces")]
    public string Text { get; set; } = "prose";

    private string text = "";

    [GlobalSetup]
    public void Setup() => text = Text switch
    {
        "one word" => new string('a', 20_000),
        "spaces" => "a" + new string(' ', 20_000) + "b",
        _ => string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 20_000 / 45)),
    };

    [Benchmark(Baseline = true)]
    public int Whole() => Tokenizer.CountTokens(text);

    [Benchmark]
    public int InPieces() => Counter.Count(text);
}
