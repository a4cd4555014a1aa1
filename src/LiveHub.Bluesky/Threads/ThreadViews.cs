using System.Text;
using System.Text.Json;

namespace LiveHub.Bluesky;

/// <summary>
/// A node of an <c>app.bsky.feed.getPostThread</c> answer: the union of <c>app.bsky.feed.defs#threadViewPost</c>,
/// <c>#notFoundPost</c> and <c>#blockedPost</c>. A type this client does not know is kept as <see cref="UnknownThreadNode"/>
/// (the lexicon marks the union open), so a new variant never breaks a reader.
/// </summary>
public abstract record ThreadNode(string? Uri);

/// <summary>A post with its parent (when asked for) and its replies, each again a <see cref="ThreadNode"/>.</summary>
public sealed record ThreadViewPost(PostView Post, ThreadNode? Parent, IReadOnlyList<ThreadNode> Replies) : ThreadNode(Post.Uri);

/// <summary>A post the AppView does not have (deleted, taken down): only its URI is left.</summary>
public sealed record NotFoundPost(string Uri) : ThreadNode(Uri);

/// <summary>A post hidden by a block between its author and the viewer: its URI and author DID, no content.</summary>
public sealed record BlockedPost(string Uri, string AuthorDid) : ThreadNode(Uri);

public sealed record UnknownThreadNode(string? Type, string? Uri) : ThreadNode(Uri);

/// <summary><c>app.bsky.actor.defs#profileViewBasic</c>, the parts a reader needs.</summary>
public sealed record ProfileViewBasic(string Did, string Handle, string? DisplayName);

/// <summary><c>app.bsky.feed.defs#postView</c>: the record as the author wrote it, and the AppView's view of its embed.</summary>
public sealed record PostView(string Uri, string Cid, ProfileViewBasic Author, JsonElement Record, JsonElement? Embed, DateTimeOffset? IndexedAt)
{
    public string Text => Record.ValueKind == JsonValueKind.Object && Record.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
        ? text.GetString() ?? ""
        : "";

    public DateTimeOffset? CreatedAt => Record.ValueKind == JsonValueKind.Object && Record.TryGetProperty("createdAt", out var created)
        && created.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(created.GetString(), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
        ? at
        : null;

    /// <summary>The record's facets; malformed ones (bad ranges, unknown features) are left out.</summary>
    public IReadOnlyList<Facet> Facets => ThreadJson.ReadFacets(Record, Encoding.UTF8.GetByteCount(Text));

    /// <summary>Number of images the post shows (an images embed, alone or with a quote).</summary>
    public int ImageCount => ThreadJson.CountImages(Embed);
}

public sealed record PostThreadResult(ThreadNode Thread);

internal static class ThreadJson
{
    public static ThreadNode ReadNode(JsonElement element, int depth = 0)
    {
        if (element.ValueKind != JsonValueKind.Object || depth > 2_000)
        {
            return new UnknownThreadNode(null, null);
        }

        var type = String(element, "$type");
        var uri = String(element, "uri");
        switch (type)
        {
            case "app.bsky.feed.defs#threadViewPost":
                if (!element.TryGetProperty("post", out var post) || ReadPost(post) is not { } view)
                {
                    return new UnknownThreadNode(type, uri);
                }

                var parent = element.TryGetProperty("parent", out var p) && p.ValueKind == JsonValueKind.Object ? ReadNode(p, depth + 1) : null;
                var replies = element.TryGetProperty("replies", out var r) && r.ValueKind == JsonValueKind.Array
                    ? r.EnumerateArray().Select(x => ReadNode(x, depth + 1)).ToList()
                    : [];
                return new ThreadViewPost(view, parent, replies);
            case "app.bsky.feed.defs#notFoundPost" when uri is not null:
                return new NotFoundPost(uri);
            case "app.bsky.feed.defs#blockedPost" when uri is not null:
                var author = element.TryGetProperty("author", out var a) ? String(a, "did") : null;
                return new BlockedPost(uri, author ?? "");
            default:
                return new UnknownThreadNode(type, uri);
        }
    }

    private static PostView? ReadPost(JsonElement post)
    {
        if (post.ValueKind != JsonValueKind.Object || String(post, "uri") is not { } uri || String(post, "cid") is not { } cid
            || !post.TryGetProperty("author", out var author) || String(author, "did") is not { } did)
        {
            return null;
        }

        var record = post.TryGetProperty("record", out var value) ? value.Clone() : default;
        JsonElement? embed = post.TryGetProperty("embed", out var e) && e.ValueKind == JsonValueKind.Object ? e.Clone() : null;
        DateTimeOffset? indexed = String(post, "indexedAt") is { } at && DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
        return new PostView(uri, cid, new ProfileViewBasic(did, String(author, "handle") ?? "handle.invalid", String(author, "displayName")), record, embed, indexed);
    }

    public static IReadOnlyList<Facet> ReadFacets(JsonElement record, int textBytes)
    {
        if (record.ValueKind != JsonValueKind.Object || !record.TryGetProperty("facets", out var facets) || facets.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var result = new List<Facet>();
        foreach (var facet in facets.EnumerateArray())
        {
            if (facet.ValueKind != JsonValueKind.Object || !facet.TryGetProperty("index", out var index) || index.ValueKind != JsonValueKind.Object
                || !index.TryGetProperty("byteStart", out var s) || !s.TryGetInt32(out var start)
                || !index.TryGetProperty("byteEnd", out var en) || !en.TryGetInt32(out var end)
                || start < 0 || end <= start || end > textBytes
                || !facet.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            var read = new List<FacetFeature>();
            foreach (var feature in features.EnumerateArray())
            {
                FacetFeature? item = String(feature, "$type") switch
                {
                    "app.bsky.richtext.facet#link" when String(feature, "uri") is { } link => new LinkFeature(link),
                    "app.bsky.richtext.facet#mention" when String(feature, "did") is { } mentioned => new MentionFeature(mentioned),
                    "app.bsky.richtext.facet#tag" when String(feature, "tag") is { } tag => new TagFeature(tag),
                    _ => null,
                };
                if (item is not null)
                {
                    read.Add(item);
                }
            }

            if (read.Count > 0)
            {
                result.Add(new Facet(start, end, read));
            }
        }

        return result;
    }

    public static int CountImages(JsonElement? embed)
    {
        if (embed is not { ValueKind: JsonValueKind.Object } view)
        {
            return 0;
        }

        return String(view, "$type") switch
        {
            "app.bsky.embed.images#view" when view.TryGetProperty("images", out var images) && images.ValueKind == JsonValueKind.Array => images.GetArrayLength(),
            "app.bsky.embed.recordWithMedia#view" when view.TryGetProperty("media", out var media) => CountImages(media),
            _ => 0,
        };
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
