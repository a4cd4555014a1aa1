namespace LiveHub.Bluesky;

public interface IHandleResolver
{
    /// <summary>The DID for <paramref name="handle"/>, or null when the handle does not exist.</summary>
    Task<string?> ResolveHandleAsync(string handle, CancellationToken cancellationToken);
}

/// <summary>Caches resolutions: successes for a day, "not found" for five minutes (the identity cache TTLs).</summary>
public sealed class CachingHandleResolver(IHandleResolver inner, TimeProvider? timeProvider = null) : IHandleResolver
{
    private static readonly TimeSpan SuccessTtl = TimeSpan.FromHours(24);
    private static readonly TimeSpan FailureTtl = TimeSpan.FromMinutes(5);

    private readonly TimeProvider time = timeProvider ?? TimeProvider.System;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string? Did, DateTimeOffset Expires)> cache =
        new(StringComparer.OrdinalIgnoreCase);

    public async Task<string?> ResolveHandleAsync(string handle, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (cache.TryGetValue(handle, out var entry) && entry.Expires > now)
        {
            return entry.Did;
        }
        var did = await inner.ResolveHandleAsync(handle, cancellationToken).ConfigureAwait(false);
        cache[handle] = (did, now + (did is null ? FailureTtl : SuccessTtl));
        return did;
    }
}
