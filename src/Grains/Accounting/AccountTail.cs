namespace DosAi.Orleans.Grains.Accounting;

/// <param name="AmountMicros">Sum of the ledger entries after the checkpoint.</param>
/// <param name="LastLedgerSequence">Highest ledger sequence stored for the account (0 if none).</param>
/// <param name="LastBatchSequence">Highest accounting batch sequence applied for the account (0 if none).</param>
public readonly record struct AccountTail(long AmountMicros, long LastLedgerSequence, long LastBatchSequence);
