using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Gateway.Hosting;

/// <summary>Money is integer micro-USD inside; USD decimals only at the API edge.</summary>
public static class Money
{
    public static decimal ToUsd(long micros) => micros / 1_000_000m;

    /// <summary>Null when the amount has more than six decimals or does not fit.</summary>
    public static long? FromUsd(decimal usd)
    {
        // The range is checked before scaling: a decimal beyond ~7.9e22 USD would overflow on the way to micro-USD.
        if (Math.Abs(usd) > Balances.MostMicros / 1_000_000m)
        {
            return null;
        }

        var micros = usd * 1_000_000m;
        if (micros != decimal.Truncate(micros))
        {
            return null;
        }

        return (long)micros;
    }
}
