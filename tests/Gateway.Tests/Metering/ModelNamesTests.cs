using System.Text.Json;
using DosAi.Orleans.Gateway.Metering;

namespace DosAi.Orleans.Gateway.Tests.Metering;

public sealed class ModelNamesTests
{
    private static readonly TokenCounter Counter = new();

    [Fact]
    public void Equal_names_share_one_instance()
    {
        var names = new ModelNames(4);
        var first = names.Share(new string("gpt-4o-mini".AsSpan()));
        var second = names.Share(new string("gpt-4o-mini".AsSpan()));

        Assert.Equal("gpt-4o-mini", second);
        Assert.Same(first, second);
    }

    [Fact]
    public void A_full_table_returns_new_names_as_they_are()
    {
        var names = new ModelNames(2);
        names.Share("a");
        names.Share("b");
        var third = new string("c".AsSpan());

        Assert.Same(third, names.Share(third));
        Assert.NotSame(names.Share(new string("c".AsSpan())), third); // "c" was never stored
        Assert.Same(names.Share("a"), names.Share(new string("a".AsSpan())));
    }

    [Theory]
    [InlineData(ModelNames.LongestShared, true)]
    [InlineData(ModelNames.LongestShared + 1, false)]
    public void Only_names_up_to_the_longest_shared_length_are_stored(int length, bool shared)
    {
        var names = new ModelNames(8);
        var first = names.Share(new string('m', length));

        Assert.Equal(shared, ReferenceEquals(first, names.Share(new string('m', length))));
    }

    [Fact]
    public void Requests_naming_the_same_model_carry_the_same_string()
    {
        static string? ModelOf(string json) =>
            InferenceRequest.Inspect(JsonDocument.Parse(json).RootElement, "/v1/chat/completions", Counter, 16).Model;

        var model = $"shared-model-{Guid.NewGuid():N}";
        var first = ModelOf($$"""{"model":"{{model}}","messages":[]}""");
        var second = ModelOf($$"""{"messages":[],"model":"{{model}}"}""");

        Assert.Equal(model, first);
        Assert.Same(first, second);
    }
}
