using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace LiveHub.Testing.FakeBluesky;

/// <summary>
/// app.bsky.feed.getPostThread as a PDS answers it through its AppView (the PDS proxies app.bsky.* reads): the post,
/// its ancestors up to <c>parentHeight</c>, its replies down to <c>depth</c>, nested, oldest reply first. Replies by
/// authors the viewer is blocked with are <c>#blockedPost</c> (no content), taken-down posts <c>#notFoundPost</c>, and
/// deleted posts are simply gone, together with everything below them (the AppView walks down <c>reply.parent</c>).
/// Other people's replies are added with <see cref="AddReply"/>; they live in their authors' repos on this server.
/// </summary>
public sealed partial class FakeBlueskyServer
{
    private readonly Dictionary<string, string> otherAuthors = new(StringComparer.Ordinal);
    private readonly HashSet<string> blockedAuthors = new(StringComparer.Ordinal);
    private readonly HashSet<string> takenDown = new(StringComparer.Ordinal);

    /// <summary>
    /// Commits a reply by <paramref name="authorHandle"/>/<paramref name="authorDid"/> (someone other than the hub) to
    /// <paramref name="parentUri"/>, as their own PDS would, and returns its URI. <paramref name="facets"/> are
    /// <c>app.bsky.richtext.facet</c> objects; <paramref name="imageAlts"/> attach that many images.
    /// </summary>
    public string AddReply(string authorHandle, string authorDid, string parentUri, string text, JsonArray? facets = null,
        IReadOnlyList<string>? imageAlts = null, DateTimeOffset? createdAt = null)
    {
        lock (state)
        {
            var parent = repos.Values.SelectMany(r => r).FirstOrDefault(r => r.Uri == parentUri)
                ?? throw new InvalidOperationException($"No post {parentUri} to reply to.");
            var root = parent.ReplyRootUri is { } rootUri ? repos.Values.SelectMany(r => r).First(r => r.Uri == rootUri) : parent;
            var record = new JsonObject
            {
                ["$type"] = PostCollection,
                ["text"] = text,
                ["createdAt"] = (createdAt ?? time.GetUtcNow()).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                ["reply"] = new JsonObject
                {
                    ["root"] = new JsonObject { ["uri"] = root.Uri, ["cid"] = root.Cid },
                    ["parent"] = new JsonObject { ["uri"] = parent.Uri, ["cid"] = parent.Cid },
                },
            };
            if (facets is not null)
            {
                record["facets"] = facets;
            }

            if (imageAlts is { Count: > 0 })
            {
                record["embed"] = new JsonObject
                {
                    ["$type"] = "app.bsky.embed.images",
                    ["images"] = new JsonArray([.. imageAlts.Select((alt, i) => (JsonNode)new JsonObject
                    {
                        ["alt"] = alt,
                        ["image"] = new JsonObject
                        {
                            ["$type"] = "blob",
                            ["ref"] = new JsonObject { ["$link"] = FakeCid.ForBlob([(byte)i, .. System.Text.Encoding.UTF8.GetBytes(alt)]) },
                            ["mimeType"] = "image/jpeg",
                            ["size"] = 1000,
                        },
                    })]),
                };
            }

            otherAuthors[authorDid] = authorHandle;
            if (!repos.TryGetValue(authorDid, out var repo))
            {
                repos[authorDid] = repo = [];
            }

            var sequence = Interlocked.Increment(ref commitSequence);
            var stored = new StoredRecord(authorDid, PostCollection, NextTid(), FakeCid.ForRecord(record), record.ToJsonString(), sequence, time.GetUtcNow());
            stored = stored with { InvalidReplyRoot = IsInvalidReply(stored) };
            repo.Add(stored);
            return stored.Uri;
        }
    }

    /// <summary>The author deletes their post: it disappears from every thread view, and its replies with it.</summary>
    public void DeletePost(string uri)
    {
        lock (state)
        {
            foreach (var repo in repos.Values)
            {
                if (repo.RemoveAll(r => r.Uri == uri) > 0)
                {
                    Interlocked.Increment(ref commitSequence);
                }
            }
        }
    }

    /// <summary>The hub account and <paramref name="did"/> block each other: that author's posts become <c>#blockedPost</c>.</summary>
    public void Block(string did)
    {
        lock (state)
        {
            blockedAuthors.Add(did);
        }
    }

    /// <summary>The post is taken down by moderation: thread views show it as <c>#notFoundPost</c>.</summary>
    public void TakeDown(string uri)
    {
        lock (state)
        {
            takenDown.Add(uri);
        }
    }

    private FakeResponse GetPostThread(HttpRequest request)
    {
        lock (state)
        {
            var (token, error) = Authenticate(request, refresh: false);
            if (token is null)
            {
                return error!;
            }

            var uri = request.Query["uri"].ToString();
            if (uri.Length == 0)
            {
                return Error(400, "InvalidRequest", "Error: Params must have the property \"uri\"");
            }

            if (!TryBounded(request, "depth", 6, out var depth) || !TryBounded(request, "parentHeight", 80, out var parentHeight))
            {
                return Error(400, "InvalidRequest", "Error: depth and parentHeight must be integers from 0 to 1000");
            }

            var all = repos.Values.SelectMany(r => r).Where(r => r.Collection == PostCollection).ToList();
            var byUri = all.ToDictionary(r => r.Uri, StringComparer.Ordinal);
            if (!byUri.TryGetValue(uri, out var anchor) || takenDown.Contains(uri))
            {
                return Error(400, "NotFound", $"Post not found: {uri}");
            }

            var byParent = all.Where(r => !r.InvalidReplyRoot && r.ReplyParentUri is not null).GroupBy(r => r.ReplyParentUri!)
                .ToDictionary(g => g.Key, g => g.OrderBy(r => r.CommitSequence).ToList(), StringComparer.Ordinal);
            var node = Node(anchor, depth, withReplies: true);
            var cursor = node;
            var current = anchor;
            for (var height = 0; height < parentHeight && current.ReplyParentUri is { } parentUri; height++)
            {
                if (!byUri.TryGetValue(parentUri, out var parentRecord) || takenDown.Contains(parentUri))
                {
                    cursor["parent"] = NotFound(parentUri);
                    break;
                }

                var parentNode = Node(parentRecord, 0, withReplies: false);
                cursor["parent"] = parentNode;
                if (parentNode["$type"]!.GetValue<string>() != "app.bsky.feed.defs#threadViewPost")
                {
                    break;
                }

                cursor = parentNode;
                current = parentRecord;
            }

            return new FakeResponse(200, Json(new JsonObject { ["thread"] = node }));

            JsonObject Node(StoredRecord record, int remaining, bool withReplies)
            {
                if (takenDown.Contains(record.Uri))
                {
                    return NotFound(record.Uri);
                }

                if (blockedAuthors.Contains(record.Did))
                {
                    return new JsonObject
                    {
                        ["$type"] = "app.bsky.feed.defs#blockedPost",
                        ["uri"] = record.Uri,
                        ["blocked"] = true,
                        ["author"] = new JsonObject { ["did"] = record.Did, ["viewer"] = new JsonObject { ["blockedBy"] = true } },
                    };
                }

                var replies = byParent.TryGetValue(record.Uri, out var children) ? children : [];
                var result = new JsonObject
                {
                    ["$type"] = "app.bsky.feed.defs#threadViewPost",
                    ["post"] = PostView(record, replies.Count),
                };
                if (withReplies && remaining > 0)
                {
                    result["replies"] = new JsonArray([.. replies.Select(r => (JsonNode)Node(r, remaining - 1, withReplies: true))]);
                }

                return result;
            }
        }
    }

    private JsonObject PostView(StoredRecord record, int replyCount)
    {
        var handle = Accounts.FirstOrDefault(a => a.Did == record.Did)?.Handle ?? otherAuthors.GetValueOrDefault(record.Did) ?? "handle.invalid";
        var view = new JsonObject
        {
            ["uri"] = record.Uri,
            ["cid"] = record.Cid,
            ["author"] = new JsonObject
            {
                ["did"] = record.Did,
                ["handle"] = handle,
                ["displayName"] = handle.Split('.')[0],
                ["avatar"] = $"https://cdn.bsky.app/img/avatar/plain/{record.Did}/bafkreiavatar@jpeg",
                ["viewer"] = new JsonObject { ["muted"] = false, ["blockedBy"] = false },
                ["labels"] = new JsonArray(),
            },
            ["record"] = JsonNode.Parse(record.Json),
            ["replyCount"] = replyCount,
            ["repostCount"] = 0,
            ["likeCount"] = 0,
            ["quoteCount"] = 0,
            ["indexedAt"] = record.CommittedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["viewer"] = new JsonObject { ["threadMuted"] = false },
            ["labels"] = new JsonArray(),
        };
        if (record.Value.TryGetProperty("embed", out var embed) && embed.TryGetProperty("$type", out var type) && type.GetString() == "app.bsky.embed.images"
            && embed.TryGetProperty("images", out var images))
        {
            view["embed"] = new JsonObject
            {
                ["$type"] = "app.bsky.embed.images#view",
                ["images"] = new JsonArray([.. images.EnumerateArray().Select(i =>
                {
                    var cid = i.GetProperty("image").GetProperty("ref").GetProperty("$link").GetString();
                    return (JsonNode)new JsonObject
                    {
                        ["thumb"] = $"https://cdn.bsky.app/img/feed_thumbnail/plain/{record.Did}/{cid}@jpeg",
                        ["fullsize"] = $"https://cdn.bsky.app/img/feed_fullsize/plain/{record.Did}/{cid}@jpeg",
                        ["alt"] = i.TryGetProperty("alt", out var alt) ? alt.GetString() : "",
                    };
                })]),
            };
        }

        return view;
    }

    private static JsonObject NotFound(string uri) => new()
    {
        ["$type"] = "app.bsky.feed.defs#notFoundPost",
        ["uri"] = uri,
        ["notFound"] = true,
    };

    private static bool TryBounded(HttpRequest request, string name, int fallback, out int value)
    {
        var raw = request.Query[name].ToString();
        if (raw.Length == 0)
        {
            value = fallback;
            return true;
        }

        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value is >= 0 and <= 1000;
    }
}
