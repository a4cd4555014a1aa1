using System.Data.Common;
using LiveHub.Problems;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LiveHub.Data;

/// <summary>
/// Turns a database outage into two log lines: a warning with the cause when the first failure is seen, and one
/// information line with its length when the database answers again. The failures in between (every request answered
/// 503, every health probe, every reconnect attempt of the live listener) are logged at Debug only, so an outage no
/// longer floods the log with one error and stack trace per request.
/// </summary>
public sealed class DatabaseOutage(TimeProvider time, ILogger<DatabaseOutage> logger)
{
    private readonly Lock _gate = new();
    private volatile bool _down;
    private long _since;
    private int _failures;

    public bool IsDown => _down;

    /// <summary>Something that needed the database could not reach it (<paramref name="where"/>: what, for the log).</summary>
    public void Failed(string where, Exception exception)
    {
        lock (_gate)
        {
            if (_down)
            {
                _failures++;
                logger.LogDebug("Still no database ({Where}): {Reason}", where, Reason(exception));
                return;
            }

            _down = true;
            _since = time.GetTimestamp();
            _failures = 1;
        }

        logger.LogWarning("The database is unavailable ({Where}): {Reason}. Requests that need it are answered 503 until it is back; " +
            "further failures are logged at Debug.", where, Reason(exception));
    }

    /// <summary>The database answered.</summary>
    public void Answered()
    {
        if (!_down)
        {
            return;
        }

        TimeSpan length;
        int failures;
        lock (_gate)
        {
            if (!_down)
            {
                return;
            }

            _down = false;
            length = time.GetElapsedTime(_since);
            failures = _failures;
        }

        logger.LogInformation("The database is available again after {Seconds:0.0} s ({Failures} failures while it was away).", length.TotalSeconds, failures);
    }

    /// <summary>
    /// Whether a failure means the database cannot be reached (connection refused or lost, server shutting down, no
    /// answer in time). SQLite's busy and locked errors are contention on a database that is there, not an outage.
    /// </summary>
    public static bool IsOutage(Exception exception) =>
        DatabaseUnavailableHandler.IsUnavailable(exception) && !Chain(exception).Any(e => e is Microsoft.Data.Sqlite.SqliteException);

    /// <summary>The cause in one line: the database driver's messages, without EF Core's generic wrapper.</summary>
    internal static string Reason(Exception exception)
    {
        var chain = Chain(exception).ToList();
        var first = chain.FindIndex(e => e is DbException or System.Net.Sockets.SocketException or TimeoutException or IOException);
        var messages = chain.Skip(Math.Max(first, 0)).Select(e => e.Message.Trim().TrimEnd('.')).Where(m => m.Length > 0).Distinct();
        return string.Join(": ", messages);
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}

/// <summary>Tells <see cref="DatabaseOutage"/> about every command that got an answer and every connection or command lost to an outage.</summary>
internal sealed class DatabaseOutageInterceptor(DatabaseOutage outage) : DbCommandInterceptor, IDbConnectionInterceptor
{
    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        outage.Answered();
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        outage.Answered();
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        outage.Answered();
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        outage.Answered();
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        outage.Answered();
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        outage.Answered();
        return ValueTask.FromResult(result);
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Report("a query", eventData.Exception);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Report("a query", eventData.Exception);
        return Task.CompletedTask;
    }

    public void ConnectionFailed(DbConnection connection, ConnectionErrorEventData eventData) => Report("opening a connection", eventData.Exception);

    public Task ConnectionFailedAsync(DbConnection connection, ConnectionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Report("opening a connection", eventData.Exception);
        return Task.CompletedTask;
    }

    private void Report(string where, Exception exception)
    {
        if (DatabaseOutage.IsOutage(exception))
        {
            outage.Failed(where, exception);
        }
    }
}
