using DosAi.Orleans.Grains.Accounting;

namespace DosAi.Orleans.Grains.Accounts;

[GenerateSerializer, Alias("AccountState")]
public sealed class AccountState
{
    [Id(0)] public string? Email { get; set; }
    [Id(1)] public string? PasswordHash { get; set; }
    [Id(2)] public string Plan { get; set; } = "";
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
    [Id(4)] public long BalanceMicros { get; set; }
    [Id(5)] public long LastLedgerSequence { get; set; }
    [Id(9)] public long LastBatchSequence { get; set; }

    /// <summary>Dashboard sessions signed in under an earlier epoch have ended (a logout ends them all).</summary>
    [Id(10)] public long SessionEpoch { get; set; }

    /// <summary>
    /// Credit references with their amounts, in states written before they became rows of the accounting store
    /// (every checkpoint rewrote them all); the account moves them there on activation.
    /// </summary>
    [Id(6)] public Dictionary<string, long> CreditReferences { get; set; } = [];

    /// <summary>
    /// Key id → the key grain's id, in states written before the keys became rows of the accounting store
    /// (every key created rewrote this whole list); the account moves them there on activation.
    /// </summary>
    [Id(7)] public Dictionary<string, string> Keys { get; set; } = [];

    /// <summary>
    /// Ledger entries and usage whose effect is in this state but that may not be in the accounting
    /// store yet. Writing them with the balance makes balance and ledger agree after any crash: they
    /// are recorded (idempotently) on the next flush or activation.
    /// </summary>
    [Id(8)] public List<AccountingBatch> UnrecordedBatches { get; set; } = [];
}
