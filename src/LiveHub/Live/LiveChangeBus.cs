using System.Globalization;
using System.Threading.Channels;
using LiveHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LiveHub.Live;

/// <summary>A committed change: stream and change number; a stream that stopped being public (<see cref="Closed"/>); or <see cref="Resync"/>.</summary>
public readonly record struct LiveChangeNotice(Guid StreamId, long Change, bool Closed = false, bool Questions = false)
{
    /// <summary>Notices may have been lost (the bus reconnected): every watched stream must be re-read.</summary>
    public static readonly LiveChangeNotice Resync = new(Guid.Empty, 0);

    public bool IsResync => StreamId == Guid.Empty;

    /// <summary>The stream was unpublished or removed: its listeners must be told and dropped from its group.</summary>
    public static LiveChangeNotice StreamClosed(Guid streamId) => new(streamId, 0, Closed: true);

    /// <summary>The stream's approved questions changed: its listeners get the list again.</summary>
    public static LiveChangeNotice QuestionsChanged(Guid streamId) => new(streamId, 0, Questions: true);
}

/// <summary>
/// Carries "stream S has committed change N" to every LiveHub instance, including this one. The
/// relay on each instance then reads the changes from the database and pushes them to its own
/// SignalR clients, so the database stays the single source of truth.
/// </summary>
public interface ILiveChangeBus
{
    /// <summary>Called inside the change's transaction, just before commit.</summary>
    Task BeforeCommitAsync(LiveHubDbContext db, Guid streamId, long change, CancellationToken cancellationToken);

    /// <summary>Called once the change is committed.</summary>
    void AfterCommit(Guid streamId, long change);

    /// <summary>Called inside the transaction that unpublishes or removes the streams' event or session, just before commit.</summary>
    Task BeforeCloseAsync(LiveHubDbContext db, IReadOnlyCollection<Guid> streamIds, CancellationToken cancellationToken);

    /// <summary>Called once the streams' closing is committed.</summary>
    void AfterClose(IReadOnlyCollection<Guid> streamIds);

    /// <summary>Called once a change to the stream's audience questions is committed.</summary>
    Task QuestionsChangedAsync(LiveHubDbContext db, Guid streamId, CancellationToken cancellationToken);

    /// <summary>Notices for this instance to relay, in commit order.</summary>
    IAsyncEnumerable<LiveChangeNotice> ReadAllAsync(CancellationToken cancellationToken);
}

/// <summary>One instance (SQLite): notices go straight from the writer to the relay.</summary>
internal sealed class InProcessLiveChangeBus : ILiveChangeBus
{
    private readonly Channel<LiveChangeNotice> _notices = Channel.CreateUnbounded<LiveChangeNotice>(new UnboundedChannelOptions { SingleReader = true });

    public Task BeforeCommitAsync(LiveHubDbContext db, Guid streamId, long change, CancellationToken cancellationToken) => Task.CompletedTask;

    public void AfterCommit(Guid streamId, long change) => _notices.Writer.TryWrite(new LiveChangeNotice(streamId, change));

    public Task BeforeCloseAsync(LiveHubDbContext db, IReadOnlyCollection<Guid> streamIds, CancellationToken cancellationToken) => Task.CompletedTask;

    public void AfterClose(IReadOnlyCollection<Guid> streamIds)
    {
        foreach (var streamId in streamIds)
        {
            _notices.Writer.TryWrite(LiveChangeNotice.StreamClosed(streamId));
        }
    }

    public Task QuestionsChangedAsync(LiveHubDbContext db, Guid streamId, CancellationToken cancellationToken)
    {
        _notices.Writer.TryWrite(LiveChangeNotice.QuestionsChanged(streamId));
        return Task.CompletedTask;
    }

    public IAsyncEnumerable<LiveChangeNotice> ReadAllAsync(CancellationToken cancellationToken) => _notices.Reader.ReadAllAsync(cancellationToken);
}

/// <summary>
/// Several instances (PostgreSQL): NOTIFY is sent inside the transaction, so PostgreSQL delivers it
/// to every listening instance exactly when, and only if, the change commits. Each instance keeps
/// one connection LISTENing; once it is listening again after a reconnect, it sends
/// <see cref="LiveChangeNotice.Resync"/> and the relay re-reads the streams it serves at once, so a
/// notice lost while disconnected costs nothing, even if no later change comes to reveal the gap.
/// </summary>
internal sealed class PostgresLiveChangeBus(IOptions<DatabaseOptions> options, DatabaseOutage outage, ILogger<PostgresLiveChangeBus> logger) : ILiveChangeBus
{
    public const string Channel = "livehub_live";

    /// <summary>In place of a change number: the stream was closed.</summary>
    private const string ClosedPayload = "closed";

    /// <summary>In place of a change number: the stream's approved questions changed.</summary>
    private const string QuestionsPayload = "questions";

    public Task BeforeCommitAsync(LiveHubDbContext db, Guid streamId, long change, CancellationToken cancellationToken)
    {
        var payload = $"{streamId:N}:{change.ToString(CultureInfo.InvariantCulture)}";
        return db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {payload})", cancellationToken);
    }

    public void AfterCommit(Guid streamId, long change)
    {
    }

    public async Task BeforeCloseAsync(LiveHubDbContext db, IReadOnlyCollection<Guid> streamIds, CancellationToken cancellationToken)
    {
        foreach (var streamId in streamIds)
        {
            var payload = $"{streamId:N}:{ClosedPayload}";
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {payload})", cancellationToken);
        }
    }

    public void AfterClose(IReadOnlyCollection<Guid> streamIds)
    {
    }

    /// <summary>Sent after the commit (outside any transaction, so PostgreSQL delivers it at once).</summary>
    public async Task QuestionsChangedAsync(LiveHubDbContext db, Guid streamId, CancellationToken cancellationToken)
    {
        var payload = $"{streamId:N}:{QuestionsPayload}";
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {payload})", cancellationToken);
    }

    public async IAsyncEnumerable<LiveChangeNotice> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var notices = System.Threading.Channels.Channel.CreateUnbounded<LiveChangeNotice>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var listening = ListenAsync(notices.Writer, cancellationToken);
        await foreach (var notice in notices.Reader.ReadAllAsync(cancellationToken))
        {
            yield return notice;
        }

        await listening;
    }

    private async Task ListenAsync(ChannelWriter<LiveChangeNotice> writer, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString) { KeepAlive = 15, Pooling = false };
        var everConnected = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                await connection.OpenAsync(cancellationToken);
                connection.Notification += (_, e) =>
                {
                    var parts = e.Payload.Split(':');
                    if (parts.Length == 2 && Guid.TryParseExact(parts[0], "N", out var stream))
                    {
                        if (long.TryParse(parts[1], CultureInfo.InvariantCulture, out var change))
                        {
                            writer.TryWrite(new LiveChangeNotice(stream, change));
                        }
                        else if (parts[1] == ClosedPayload)
                        {
                            writer.TryWrite(LiveChangeNotice.StreamClosed(stream));
                        }
                        else if (parts[1] == QuestionsPayload)
                        {
                            writer.TryWrite(LiveChangeNotice.QuestionsChanged(stream));
                        }
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken);
                }

                outage.Answered();
                if (everConnected)
                {
                    logger.LogDebug("Live change listener reconnected.");
                    writer.TryWrite(LiveChangeNotice.Resync);
                }

                everConnected = true;
                while (!cancellationToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or IOException or TimeoutException)
            {
                // Once per outage (a retry a second would flood the log); the first connection that works again logs the recovery.
                outage.Failed("live change listener", ex);
                logger.LogDebug("Live change listener lost its connection ({Reason}); retrying.", ex.Message);
                everConnected = true;
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception ex)
            {
                // Anything else must not end the loop: nobody awaits it until shutdown, so pushes would stop without a word.
                logger.LogError(ex, "Live change listener failed; retrying.");
                everConnected = true;
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        writer.TryComplete();
    }
}
