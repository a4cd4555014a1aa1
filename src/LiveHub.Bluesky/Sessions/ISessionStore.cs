namespace LiveHub.Bluesky;

/// <summary>Persists the session so restarts reuse it instead of logging in again (login limits are tight).</summary>
public interface ISessionStore
{
    Task<BlueskySession?> LoadAsync(CancellationToken cancellationToken);

    Task SaveAsync(BlueskySession session, CancellationToken cancellationToken);

    Task ClearAsync(CancellationToken cancellationToken);
}

public sealed class InMemorySessionStore(BlueskySession? initial = null) : ISessionStore
{
    private BlueskySession? session = initial;
    private int saveCount;

    public BlueskySession? Current => Volatile.Read(ref session);

    public int SaveCount => Volatile.Read(ref saveCount);

    public Task<BlueskySession?> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(Current);

    public Task SaveAsync(BlueskySession session, CancellationToken cancellationToken)
    {
        Volatile.Write(ref this.session, session);
        Interlocked.Increment(ref saveCount);
        return Task.CompletedTask;
    }

    public Task ClearAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref session, null);
        return Task.CompletedTask;
    }
}
