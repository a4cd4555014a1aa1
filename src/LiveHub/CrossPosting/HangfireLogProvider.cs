using Hangfire.AspNetCore;
using Hangfire.Logging;

namespace LiveHub.CrossPosting;

/// <summary>
/// Hangfire keeps one log provider for the whole process (a static), and Hangfire.AspNetCore sets it to the logger
/// factory of whichever host configured Hangfire last. A process with several hosts (the tests: a restart, a second
/// instance) then hands Hangfire a factory that a stopped host has disposed, and creating a recurring-job manager or a
/// job client throws ObjectDisposedException. This provider falls back to no logging for a disposed factory.
/// </summary>
internal sealed class HangfireLogProvider(ILoggerFactory loggers) : ILogProvider
{
    private readonly AspNetCoreLogProvider _inner = new(loggers);

    public ILog GetLogger(string name)
    {
        try
        {
            return _inner.GetLogger(name);
        }
        catch (ObjectDisposedException)
        {
            return SilentLog.Instance;
        }
    }

    private sealed class SilentLog : ILog
    {
        public static readonly SilentLog Instance = new();

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
