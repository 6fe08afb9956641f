using Microsoft.ML.Tokenizers;

namespace DosAi.Orleans.Gateway.Metering;

/// <summary>o200k_base token counts; the vocabulary ships in a NuGet package, nothing is downloaded.</summary>
public sealed class TokenCounter
{
    private readonly TiktokenTokenizer tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");

    public int Count(string text) => text.Length == 0 ? 0 : tokenizer.CountTokens(text);
}
