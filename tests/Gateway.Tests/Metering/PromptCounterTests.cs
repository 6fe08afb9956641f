using DosAi.Orleans.Gateway.Metering;

namespace DosAi.Orleans.Gateway.Tests.Metering;

public sealed class PromptCounterTests
{
    private static readonly TokenCounter Tokens = new();
    private static readonly string Prose = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 1_000));

    // Denser than a token per four characters, so the rate counted is the rate used.
    private static readonly string Orders = string.Concat(Enumerable.Range(0, 2_000).Select(i => $"Order #{48_213 + i} shipped 2026-11-{i % 28 + 1:00}; total ${i * 7.31:0.00} (tax {i % 9}.25%). "));

    [Fact]
    public void Text_within_the_budget_is_counted_exactly_and_nothing_is_extrapolated()
    {
        var counter = new PromptCounter(Tokens);

        var first = counter.Count(Prose);
        var second = counter.Count("A question about it?");

        Assert.Equal((Tokens.Count(Prose), Tokens.Count("A question about it?"), 0L), (first, second, counter.Extrapolated));
    }

    [Fact]
    public void Text_past_the_budget_is_estimated_at_the_rate_the_counted_text_showed()
    {
        var counter = new PromptCounter(Tokens);
        var messages = Enumerable.Repeat(Orders, 3 * PromptCounter.ExactChars / Orders.Length).ToList();

        var exact = messages.Sum(message => (long)counter.Count(message));

        var total = exact + counter.Extrapolated;
        var actual = messages.Sum(message => (long)Tokens.Count(message));
        Assert.True(actual > Orders.Length * messages.Count / 4, "the text is denser than the rate's floor");
        Assert.True(counter.Extrapolated > 0);
        Assert.InRange(total, actual * 0.99, actual * 1.01);
    }

    [Fact]
    public void Cheap_text_at_the_start_cannot_make_the_rest_count_under_a_token_per_four_characters()
    {
        var counter = new PromptCounter(Tokens);
        var padding = new string(' ', PromptCounter.ExactChars);

        counter.Count(padding);
        counter.Count(Prose);

        Assert.True(counter.Extrapolated >= Prose.Length / 4, $"{counter.Extrapolated} tokens for {Prose.Length} characters");
    }
}
