namespace DosAi.Orleans.Gateway.Metering;

/// <summary>
/// Counts one request's prompt text: exactly for its first <see cref="ExactChars"/> characters, the rest at the
/// rate the counted text showed, so the CPU a request costs before admission is bounded whatever its body
/// holds (8 MB of random printable characters took the tokenizer 4 s). The rate is at least one token per four
/// characters, so text that counts cheaply at the start cannot make a long prompt look short.
/// </summary>
public struct PromptCounter(TokenCounter tokens)
{
    /// <summary>About 64,000 tokens of English; ~0.13 s of tokenizing on the slowest text measured.</summary>
    public const int ExactChars = 256 * 1024;

    private long countedChars;
    private long countedTokens;
    private long uncountedChars;

    /// <summary>The tokens of <paramref name="text"/>'s part within the budget; the rest is in <see cref="Extrapolated"/>.</summary>
    public int Count(string text)
    {
        var exact = (int)Math.Min(text.Length, ExactChars - countedChars);
        var count = tokens.Count(text.AsSpan(0, exact));
        countedChars += exact;
        countedTokens += count;
        uncountedChars += text.Length - exact;
        return count;
    }

    /// <summary>The estimate for the text past the budget.</summary>
    public readonly long Extrapolated =>
        uncountedChars == 0 ? 0 : (long)Math.Ceiling(uncountedChars * Math.Max(0.25, (double)countedTokens / countedChars));
}
