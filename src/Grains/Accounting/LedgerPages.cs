using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Accounting;

public static class LedgerPages
{
    /// <summary>Stores read one row more than asked; that row only says whether there is more.</summary>
    public static LedgerPage From(List<LedgerEntry> entries, int limit)
    {
        var hasMore = entries.Count > limit;
        if (hasMore)
        {
            entries.RemoveAt(entries.Count - 1);
        }

        return new LedgerPage(entries, hasMore);
    }
}
