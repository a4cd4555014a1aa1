using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace LiveHub.Tests.Infrastructure;

/// <summary>
/// One log record as a test sees it. <see cref="Text"/> holds everything a log sink could write: the message, the
/// structured values, the exception and every scope.
/// </summary>
public sealed record RecordedLog(LogLevel Level, string Category, EventId EventId, string Message, Exception? Exception, string Text)
{
    public override string ToString() => $"[{Level}] {Category} ({EventId.Name ?? EventId.Id.ToString(CultureInfo.InvariantCulture)}): {Message}{(Exception is null ? "" : "\n" + Exception)}";
}

/// <summary>Keeps every log record at or above <paramref name="minimum"/>, so a test can search what the app logged.</summary>
public sealed class RecordingLoggerProvider(LogLevel minimum = LogLevel.Trace) : ILoggerProvider, ISupportExternalScope
{
    private readonly LogLevel _minimum = minimum;
    private readonly ConcurrentQueue<RecordedLog> _records = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<RecordedLog> Records => _records;

    public int Count => _records.Count;

    /// <summary>Records since <paramref name="start"/> that mean a request was not handled: errors, and anything from the exception handler.</summary>
    public IReadOnlyList<RecordedLog> UnhandledSince(int start) =>
        [.. _records.Skip(start).Where(e => e.Level >= LogLevel.Error
            || e.Category.StartsWith("Microsoft.AspNetCore.Diagnostics", StringComparison.Ordinal)
            || e.Message.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase))];

    public ILogger CreateLogger(string categoryName) => new RecordingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class RecordingLogger(RecordingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            var text = new StringBuilder(message);
            AppendValues(text, state);
            text.Append('\n').Append(exception);
            provider._scopes.ForEachScope((scope, builder) =>
            {
                builder.Append("\nscope: ").Append(scope);
                AppendValues(builder, scope);
            }, text);
            provider._records.Enqueue(new RecordedLog(logLevel, category, eventId, message, exception, text.ToString()));
        }

        private static void AppendValues(StringBuilder text, object? state)
        {
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    text.Append('\n').Append(key).Append('=').Append(value is System.Collections.IEnumerable list and not string ? string.Join(",", list.Cast<object>()) : value);
                }
            }
        }
    }
}
