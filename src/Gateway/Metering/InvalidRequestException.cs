namespace DosAi.Orleans.Gateway.Metering;

/// <summary>A request body that parses but that the gateway could not meter as the upstream would read it: a 400.</summary>
public sealed class InvalidRequestException(string message, string code) : Exception(message)
{
    /// <summary>The error's <c>code</c>, as OpenAI names the same mistake (<c>invalid_type</c>, <c>unknown_parameter</c>).</summary>
    public string Code => code;
}
