namespace LiveHub.Bluesky;

/// <summary>The persisted part of a login: enough to resume after a restart without calling createSession.</summary>
public sealed record BlueskySession(string Did, string Handle, string PdsUrl, string AccessJwt, string RefreshJwt);

public sealed class SessionChangedEventArgs(BlueskySession? session, SessionChangeReason reason) : EventArgs
{
    public BlueskySession? Session { get; } = session;

    public SessionChangeReason Reason { get; } = reason;
}

public enum SessionChangeReason
{
    LoggedIn,
    Refreshed,
    Resumed,
    LoggedOut,
}
