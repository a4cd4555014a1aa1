using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LiveHub.Data;

/// <summary>
/// Until 2026-12-03 LiveHub's migrations were written by hand; they were replaced by one generated baseline per provider
/// that builds the same schema (tests/LiveHub.Tests/Data/LegacyDatabaseUpgradeTests proves it from a dump of each). A
/// database made by the hand-written migrations already has that schema, so its history rows are swapped for the
/// baseline's instead of running it. A database that stopped part-way through them cannot be adopted safely.
/// </summary>
internal static class LegacyMigrationHistory
{
    public const string Baseline = "20261203123153_Baseline";

    private static readonly string[] SqliteMigrations =
    [
        "20261121000001_Initial", "20261121100000_EventSourceUid", "20261121110000_LiveCoverage", "20261121120000_CrossPosting",
        "20261121130000_PostIdempotencyKey", "20261203090000_StaffAccountState", "20261203100000_EventFirstPublishedAt",
        "20261203110000_IdempotencyKeyPerAuthor",
    ];

    private static readonly string[] PostgresMigrations = [.. SqliteMigrations, "20261203130000_DropQuartzTables"];

    /// <summary>Returns true when it replaced the hand-written migrations' history with the baseline's.</summary>
    public static async Task<bool> AdoptAsync(LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var legacy = db is PostgresLiveHubDbContext ? PostgresMigrations : SqliteMigrations;
        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var found = legacy.Where(applied.Contains).ToList();
        if (found.Count == 0)
        {
            return false;
        }

        if (found.Count != legacy.Length && !applied.Contains(Baseline))
        {
            throw new InvalidOperationException(
                $"This database was made by an older LiveHub and lacks its migration(s) {string.Join(", ", legacy.Except(found))}. " +
                "Start the last LiveHub with hand-written migrations (git commit 7c0c8fb) on it once to finish them, then this version.");
        }

        var history = db.GetService<IHistoryRepository>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var deleted = 0;
        foreach (var id in found)
        {
            // Another instance starting at the same time waits on these rows and then finds nothing left to do.
            deleted += await db.Database.ExecuteSqlRawAsync(history.GetDeleteScript(id), cancellationToken);
        }

        if (deleted == 0)
        {
            return false;
        }

        if (!applied.Contains(Baseline))
        {
            await db.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(Baseline, ProductInfo.GetVersion())), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
