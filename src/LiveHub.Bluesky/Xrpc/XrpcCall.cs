namespace LiveHub.Bluesky;

internal enum XrpcAuth
{
    None,
    Access,
    Refresh,
}

internal enum XrpcHost
{
    /// <summary>The configured entryway (login, identity lookups before login).</summary>
    Service,

    /// <summary>The account's PDS from its DID document (repo calls).</summary>
    Pds,
}

/// <summary>
/// Everything needed to build a request. Kept separate from <see cref="HttpRequestMessage"/> because a sent message
/// cannot be sent again: a retry after a token refresh builds a fresh one from this description.
/// </summary>
internal sealed record XrpcCall(HttpMethod Method, string Nsid)
{
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];

    public byte[]? Body { get; init; }

    public string? ContentType { get; init; }

    public XrpcAuth Auth { get; init; } = XrpcAuth.Access;

    public XrpcHost Host { get; init; } = XrpcHost.Pds;

    public bool IsBlob { get; init; }

    public bool IsWrite => Method == HttpMethod.Post;

    public static XrpcCall Get(string nsid, params (string Name, string? Value)[] query) => new(HttpMethod.Get, nsid)
    {
        Query = [.. query.Where(q => q.Value is not null).Select(q => new KeyValuePair<string, string>(q.Name, q.Value!))],
    };

    public static XrpcCall PostJson(string nsid, byte[] json) => new(HttpMethod.Post, nsid)
    {
        Body = json,
        ContentType = "application/json",
    };
}

internal sealed record XrpcResponse(string Nsid, bool IsWrite, int StatusCode, byte[] Body)
{
    public T ReadJson<T>()
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<T>(Body, BlueskyJson.Options)
                ?? throw new System.Text.Json.JsonException("Empty JSON body.");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new XrpcException(Nsid, StatusCode, XrpcErrors.InvalidResponse, ex.Message,
                isRetryable: true, isAmbiguous: IsWrite, innerException: ex);
        }
    }
}
