namespace DosAi.Orleans.Grains.Interfaces.Accounts;

public static class Balances
{
    /// <summary>
    /// The most an account can hold, in micro-USD (about 2.3 trillion USD): a quarter of <see cref="long"/>'s
    /// range, so a balance, a credit and the charges in flight never overflow when added up.
    /// </summary>
    public const long MostMicros = long.MaxValue / 4;
}
