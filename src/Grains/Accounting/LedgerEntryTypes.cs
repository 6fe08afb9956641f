using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Accounting;

/// <summary>The ledger's <c>type</c> values as stored and as served by the admin API.</summary>
public static class LedgerEntryTypes
{
    public static string ToWire(LedgerEntryType type) => type switch
    {
        LedgerEntryType.TopUp => "topup",
        LedgerEntryType.Charge => "charge",
        LedgerEntryType.Refund => "refund",
        LedgerEntryType.Adjustment => "adjustment",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static LedgerEntryType FromWire(string type) => type switch
    {
        "topup" => LedgerEntryType.TopUp,
        "charge" => LedgerEntryType.Charge,
        "refund" => LedgerEntryType.Refund,
        "adjustment" => LedgerEntryType.Adjustment,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
