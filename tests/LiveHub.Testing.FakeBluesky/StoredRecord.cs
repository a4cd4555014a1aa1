using System.Text.Json;

namespace LiveHub.Testing.FakeBluesky;

/// <summary>A record as committed to a fake repo. <see cref="CommitSequence"/> orders commits across the server.</summary>
public sealed record StoredRecord(string Did, string Collection, string Rkey, string Cid, string Json, long CommitSequence, DateTimeOffset CommittedAt)
{
    public string Uri => $"at://{Did}/{Collection}/{Rkey}";

    /// <summary>
    /// As the AppView decides when it indexes a reply (and never again): its parent was unknown then, was itself an
    /// invalid reply, or belongs to another root. Such a reply is left out of every thread view.
    /// </summary>
    public bool InvalidReplyRoot { get; init; }

    /// <summary>Blob CIDs the record references (images, thumbnails).</summary>
    public IReadOnlyList<string> BlobCids => _blobCids ??= [.. FindBlobs(Value)];

    private static IEnumerable<string> FindBlobs(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            if (element.TryGetProperty("$type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "blob"
                && element.TryGetProperty("ref", out var reference) && reference.TryGetProperty("$link", out var link) && link.GetString() is { } cid)
            {
                yield return cid;
            }

            foreach (var property in element.EnumerateObject())
            {
                foreach (var found in FindBlobs(property.Value))
                {
                    yield return found;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                foreach (var found in FindBlobs(item))
                {
                    yield return found;
                }
            }
        }
    }

    // Parsed once: records never change (an update is a new StoredRecord), and thread walks read every record.
    private JsonElement? _value;
    private IReadOnlyList<string>? _blobCids;

    public JsonElement Value
    {
        get
        {
            if (_value is { } value)
            {
                return value;
            }

            using var document = JsonDocument.Parse(Json);
            _value = document.RootElement.Clone();
            return _value.Value;
        }
    }

    public string? Text => Value.TryGetProperty("text", out var text) ? text.GetString() : null;

    /// <summary>The post's langs as recorded (empty when it has none).</summary>
    public IReadOnlyList<string> Langs => Value.TryGetProperty("langs", out var langs) && langs.ValueKind == JsonValueKind.Array
        ? [.. langs.EnumerateArray().Select(l => l.GetString() ?? "")]
        : [];

    public string? ReplyRootUri => ReplyUri("root");

    public string? ReplyParentUri => ReplyUri("parent");

    private string? ReplyUri(string which) =>
        Value.TryGetProperty("reply", out var reply) && reply.TryGetProperty(which, out var reference)
            ? reference.GetProperty("uri").GetString()
            : null;
}

public sealed record StoredBlob(string Did, string Cid, string MimeType, byte[] Data);

/// <summary>A post and the valid replies to it, as an AppView's thread view has them (oldest reply first).</summary>
public sealed record FakeThreadNode(StoredRecord Record, IReadOnlyList<FakeThreadNode> Replies);
