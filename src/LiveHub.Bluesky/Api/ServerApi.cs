namespace LiveHub.Bluesky;

public sealed record SessionInfo(string Did, string Handle, string? Email, bool? Active, string? Status);

public sealed record ServerDescription(string Did, IReadOnlyList<string> AvailableUserDomains, bool? InviteCodeRequired);

public sealed class ServerApi
{
    private readonly BlueskyClient client;

    internal ServerApi(BlueskyClient client) => this.client = client;

    public Task<BlueskySession> CreateSessionAsync(string identifier, string password, CancellationToken cancellationToken = default) =>
        client.LoginAsync(identifier, password, cancellationToken);

    public Task<BlueskySession> RefreshSessionAsync(CancellationToken cancellationToken = default) =>
        client.RefreshSessionAsync(cancellationToken);

    public Task DeleteSessionAsync(CancellationToken cancellationToken = default) => client.LogoutAsync(cancellationToken);

    public async Task<SessionInfo> GetSessionAsync(CancellationToken cancellationToken = default)
    {
        var response = await client.SendAsync(XrpcCall.Get("com.atproto.server.getSession"), cancellationToken).ConfigureAwait(false);
        return response.ReadJson<SessionInfo>();
    }

    public async Task<ServerDescription> DescribeServerAsync(CancellationToken cancellationToken = default)
    {
        var call = XrpcCall.Get("com.atproto.server.describeServer") with { Auth = XrpcAuth.None, Host = XrpcHost.Service };
        var response = await client.SendAsync(call, cancellationToken).ConfigureAwait(false);
        return response.ReadJson<ServerDescription>();
    }
}
