using System.Text.Json.Nodes;
using LiveHub.Bluesky;

namespace LiveHub.CrossPosting;

/// <summary>
/// The Bluesky thread of a stream as it must be: one chain of records, in live-posting order, each replying to the one
/// before it. A record's place (its slot) is the change that created its update: the live post's first change for its
/// posts (so a post re-posted by a delete-and-repost edit keeps its place), the edit itself for a correction. The
/// AppView builds a thread by walking down <c>reply.parent</c> from the root and drops a reply whose parent it does not
/// know, so a record whose parent was deleted must be written again (a copy with the same text and <c>createdAt</c>),
/// after its new parent: see docs/bluesky-threads.md.
/// </summary>
internal static class CrossPostChain
{
    /// <summary>The slot of every Post and Correction row in <paramref name="rows"/> (all such rows of one stream).</summary>
    public static Dictionary<Guid, long> Slots(IReadOnlyCollection<CrossPostItem> rows)
    {
        var postStarts = rows.Where(r => r.Action == CrossPostAction.Post).GroupBy(r => r.PostId)
            .ToDictionary(g => g.Key, g => g.Min(r => r.ChangeSequence));
        return rows.Where(r => r.Action != CrossPostAction.Delete)
            .ToDictionary(r => r.Id, r => r.Action == CrossPostAction.Post ? postStarts[r.PostId] : r.ChangeSequence);
    }

    /// <summary>Rows whose record is on Bluesky and stays there, in thread order.</summary>
    public static List<CrossPostItem> Order(IReadOnlyCollection<CrossPostItem> rows, Dictionary<Guid, long> slots) =>
        [.. rows.Where(IsInChain).OrderBy(r => slots[r.Id]).ThenBy(r => r.Part).ThenBy(r => r.ChangeSequence)];

    public static bool IsInChain(CrossPostItem row) =>
        row.Action != CrossPostAction.Delete && row.State == CrossPostState.Posted && row.RemovedAtUtc is null && row.Uri is not null && row.Cid is not null;

    public static StrongRef Ref(CrossPostItem row) => new(row.Uri!, row.Cid!);

    /// <summary>Where a record of <paramref name="slot"/>/<paramref name="part"/> goes: its root and parent (null, null: it is the root).</summary>
    public static (StrongRef? Root, StrongRef? Parent) Place(List<CrossPostItem> chain, Dictionary<Guid, long> slots, long slot, int part)
    {
        var before = chain.LastOrDefault(r => slots[r.Id] < slot || (slots[r.Id] == slot && r.Part < part));
        return before is null ? (null, null) : (Ref(chain[0]), Ref(before));
    }

    /// <summary>The record a correction quotes: the first part of the corrected update, as it is now on Bluesky.</summary>
    public static StrongRef? QuoteFor(List<CrossPostItem> chain, CrossPostItem correction) =>
        correction.Action == CrossPostAction.Correction && correction.Part == 0
            && chain.FirstOrDefault(r => r.PostId == correction.PostId && r.Action == CrossPostAction.Post && r.Part == 0) is { } quoted
            ? Ref(quoted)
            : null;

    /// <summary>What a frozen record points at.</summary>
    public static (StrongRef? Root, StrongRef? Parent, StrongRef? Quote) Read(string json)
    {
        var record = JsonNode.Parse(json)!.AsObject();
        var reply = record["reply"] as JsonObject;
        var embed = record["embed"] as JsonObject;
        var quote = (string?)embed?["$type"] switch
        {
            "app.bsky.embed.record" => ReadRef(embed!["record"]),
            "app.bsky.embed.recordWithMedia" => ReadRef(embed!["record"]?["record"]),
            _ => null,
        };
        return (ReadRef(reply?["root"]), ReadRef(reply?["parent"]), quote);
    }

    /// <summary>
    /// The same record (text, facets, images, <c>createdAt</c>) with another place in the thread and, for a correction,
    /// another quoted record. Keeping <c>createdAt</c> keeps the copy where the original was in followers' timelines:
    /// the AppView sorts a post by the earlier of its <c>createdAt</c> and the time it indexed it.
    /// </summary>
    public static string Rewrite(string json, StrongRef? root, StrongRef? parent, bool isQuoting, StrongRef? quote)
    {
        var record = JsonNode.Parse(json)!.AsObject();
        record.Remove("reply");
        if (root is not null && parent is not null)
        {
            record["reply"] = new JsonObject { ["root"] = RefNode(root), ["parent"] = RefNode(parent) };
        }

        if (isQuoting)
        {
            var embed = record["embed"] as JsonObject;
            var type = (string?)embed?["$type"];
            record.Remove("embed");
            JsonNode? media = type switch
            {
                "app.bsky.embed.recordWithMedia" => embed!["media"]?.DeepClone(),
                "app.bsky.embed.record" or null => null,
                _ => embed!.DeepClone(),
            };
            if (quote is null)
            {
                if (media is not null)
                {
                    record["embed"] = media;
                }
            }
            else if (media is null)
            {
                record["embed"] = new JsonObject { ["$type"] = "app.bsky.embed.record", ["record"] = RefNode(quote) };
            }
            else
            {
                record["embed"] = new JsonObject
                {
                    ["$type"] = "app.bsky.embed.recordWithMedia",
                    ["record"] = new JsonObject { ["$type"] = "app.bsky.embed.record", ["record"] = RefNode(quote) },
                    ["media"] = media,
                };
            }
        }

        return record.ToJsonString();
    }

    private static StrongRef? ReadRef(JsonNode? node) =>
        node is JsonObject o && (string?)o["uri"] is { } uri && (string?)o["cid"] is { } cid ? new StrongRef(uri, cid) : null;

    private static JsonObject RefNode(StrongRef reference) => new() { ["uri"] = reference.Uri, ["cid"] = reference.Cid };
}
