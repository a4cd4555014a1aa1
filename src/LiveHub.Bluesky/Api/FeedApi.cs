using LiveHub.Bluesky.RichText;

namespace LiveHub.Bluesky;

/// <summary>app.bsky.feed.post on top of <see cref="RepoApi"/>.</summary>
public sealed class FeedApi
{
    private readonly BlueskyClient client;

    internal FeedApi(BlueskyClient client) => this.client = client;

    /// <summary>Chooses the record key (a new TID unless given) and freezes the JSON. Persist the result before publishing.</summary>
    public PreparedRecord PreparePost(PostRecord post, string? rkey = null) =>
        new(PostRecord.Collection, rkey ?? client.Tids.Next(), post.ToJson());

    /// <summary>Exactly-once write of a prepared post; call again with the same value after any failure.</summary>
    public Task<IdempotentWriteResult> PublishAsync(PreparedRecord prepared, CancellationToken cancellationToken = default) =>
        client.Repo.WriteRecordIdempotentAsync(prepared.Collection, prepared.Rkey, prepared.Json, cancellationToken);

    /// <summary>Prepare and publish in one go, for callers that do not persist an outbox.</summary>
    public Task<IdempotentWriteResult> CreatePostAsync(PostRecord post, CancellationToken cancellationToken = default) =>
        PublishAsync(PreparePost(post), cancellationToken);

    /// <summary>Facets for <paramref name="text"/> with mentions resolved to DIDs through this client.</summary>
    public Task<IReadOnlyList<Facet>> DetectFacetsAsync(string text, CancellationToken cancellationToken = default) =>
        FacetBuilder.BuildAsync(text, client.Identity, cancellationToken);

    public Task<RecordResponse?> GetPostAsync(string rkey, CancellationToken cancellationToken = default) =>
        client.Repo.GetRecordAsync(PostRecord.Collection, rkey, cancellationToken: cancellationToken);

    /// <summary>Deletes by record key or by at:// URI of one of this account's posts. Deleting twice is fine.</summary>
    public Task DeletePostAsync(string rkeyOrUri, CancellationToken cancellationToken = default)
    {
        var rkey = rkeyOrUri.StartsWith("at://", StringComparison.Ordinal) ? AtUri.Parse(rkeyOrUri).Rkey : rkeyOrUri;
        return client.Repo.DeleteRecordAsync(PostRecord.Collection, rkey, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// app.bsky.feed.getPostThread, sent to the account's PDS, which answers it through its AppView. <paramref name="depth"/>
    /// (0 to 1000, the AppView's default 6) is how many levels of replies, <paramref name="parentHeight"/> (0 to 1000,
    /// default 80) how many ancestors. Null when the post itself is not found (the AppView answers 400 NotFound).
    /// </summary>
    public async Task<PostThreadResult?> GetPostThreadAsync(string uri, int depth = 6, int parentHeight = 80, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(depth, 1000);
        ArgumentOutOfRangeException.ThrowIfNegative(parentHeight);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parentHeight, 1000);
        var call = XrpcCall.Get("app.bsky.feed.getPostThread", ("uri", uri),
            ("depth", depth.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("parentHeight", parentHeight.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        try
        {
            var response = await client.SendAsync(call, cancellationToken).ConfigureAwait(false);
            var body = response.ReadJson<System.Text.Json.JsonElement>();
            if (body.ValueKind != System.Text.Json.JsonValueKind.Object || !body.TryGetProperty("thread", out var thread))
            {
                throw new XrpcException(call.Nsid, response.StatusCode, XrpcErrors.InvalidResponse, "No thread in response.", isRetryable: true, isAmbiguous: false);
            }

            return new PostThreadResult(ThreadJson.ReadNode(thread));
        }
        catch (XrpcException ex) when (ex.Error == XrpcErrors.NotFound)
        {
            return null;
        }
    }
}
