using DosAi.Orleans.Gateway.Api;

namespace DosAi.Orleans.Gateway.Tests.Api;

public sealed class KeyNameTests
{
    [Theory]
    [InlineData("laptop", "laptop")]
    [InlineData("  CI runner ", "CI runner")]
    [InlineData(null, "Secret key")]
    [InlineData("   ", "Secret key")]
    [InlineData("Prod – 東京 🚀", "Prod – 東京 🚀")]
    public void Names_are_trimmed_and_defaulted(string? name, string expected)
    {
        Assert.Null(AccountService.ValidateKeyName(name, out var normalized));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("line\nbreak")]
    [InlineData("nul\0byte")]
    [InlineData("bell\u0007")]
    [InlineData("tab\tinside")]
    public void Control_characters_are_refused(string name) =>
        Assert.Equal("The key name must not contain control characters (line breaks, tabs, NUL…).", AccountService.ValidateKeyName(name, out _));

    [Fact]
    public void Names_longer_than_100_characters_are_refused() =>
        Assert.Equal("The key name must be at most 100 characters.", AccountService.ValidateKeyName(new string('k', 101), out _));
}
