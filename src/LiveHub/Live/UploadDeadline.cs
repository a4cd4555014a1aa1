using Microsoft.Extensions.Options;

namespace LiveHub.Live;

/// <summary>
/// How long an upload whose body is still arriving may go on once LiveHub has been asked to stop (SIGTERM). Kestrel
/// would wait for it up to the host's whole shutdown timeout and then cut the connection without an answer; past
/// <see cref="LiveOptions.UploadShutdownGrace"/> the upload is answered 503 with Retry-After instead, so the client
/// knows to send it again to the instance that replaces this one, and the stop is not held up.
/// </summary>
public sealed class UploadDeadline : IDisposable
{
    private readonly CancellationTokenSource _passed;
    private readonly CancellationTokenRegistration _stopping;

    public UploadDeadline(IHostApplicationLifetime lifetime, IOptions<LiveOptions> options, TimeProvider time)
    {
        _passed = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        var grace = options.Value.UploadShutdownGrace;
        _stopping = lifetime.ApplicationStopping.Register(() => _passed.CancelAfter(grace));
    }

    /// <summary>Cancelled once the grace after the stop signal has run out.</summary>
    public CancellationToken Passed => _passed.Token;

    /// <summary>True if the grace runs out before <paramref name="work"/> ends (which is then left running).</summary>
    public async Task<bool> OutlastsAsync(Task work)
    {
        var passed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = Passed.Register(() => passed.TrySetResult());
        return await Task.WhenAny(work, passed.Task) != work;
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _passed.Dispose();
    }
}
