using DosAi.Orleans.Gateway.Metering;
using Microsoft.ML.Tokenizers;

namespace DosAi.Orleans.Gateway.Tests.Metering;

public sealed class TokenCounterTests
{
    private static readonly TokenCounter Counter = new();

    // An independent o200k_base tokenizer to compare with.
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    public static TheoryData<string> OrdinaryTexts => new()
    {
        "",
        "Hello, world!",
        "Explain the difference between TCP and UDP — über-briefly, please! 🙏\n\n  Thanks.",
        string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 2_000)),
        "https://example.com/a/rather/long/path/with/segments?and=query&strings=that&go=on#fragment",
        new string('x', TokenCounter.LongestRun) + " " + new string('y', TokenCounter.LongestRun) + new string('\n', TokenCounter.LongestRun),
    };

    [Theory]
    [MemberData(nameof(OrdinaryTexts))]
    public void Text_without_runs_longer_than_a_piece_counts_exactly_as_the_tokenizer_does(string text) =>
        Assert.Equal(O200k.CountTokens(text), Counter.Count(text));

    [Theory]
    [InlineData("x")]
    [InlineData("")]
    public void A_long_run_of_emoji_is_never_cut_inside_a_character(string before)
    {
        var text = before + string.Concat(Enumerable.Repeat("🙏", 3 * TokenCounter.LongestRun));

        Assert.Equal(O200k.CountTokens(text), Counter.Count(text));
    }

    [Theory]
    [InlineData('a', 5_000)]
    [InlineData('!', 3_000)]
    [InlineData('7', 4_000)]
    [InlineData(' ', 5_000)]
    [InlineData('\n', 3_000)]
    public void A_long_run_counts_within_a_token_per_piece_of_its_whole_count(char repeated, int length)
    {
        var text = "Before it: " + new string(repeated, length) + " and after it.";
        var whole = O200k.CountTokens(text);
        var pieces = length / TokenCounter.LongestRun + 1;

        var count = Counter.Count(text);

        Assert.InRange(count, whole - pieces, whole + pieces);
    }
}
