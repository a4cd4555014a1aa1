using System.Text.Json;

namespace LiveHub.Testing.FakeBluesky;

/// <summary>A record as committed to a fake repo. <see cref="CommitSequence"/> orders commits across the server.</summary>
public sealed record StoredRecord(string Did, string Collection, string Rkey, string Cid, string Json, long CommitSequence, DateTimeOffset CommittedAt)
{
    public string Uri => $"at://{Did}/{Collection}/{Rkey}";

    public JsonElement Value
    {
        get
        {
            using var document = JsonDocument.Parse(Json);
            return document.RootElement.Clone();
        }
    }

    public string? Text => Value.TryGetProperty("text", out var text) ? text.GetString() : null;

    public string? ReplyRootUri => ReplyUri("root");

    public string? ReplyParentUri => ReplyUri("parent");

    private string? ReplyUri(string which) =>
        Value.TryGetProperty("reply", out var reply) && reply.TryGetProperty(which, out var reference)
            ? reference.GetProperty("uri").GetString()
            : null;
}

public sealed record StoredBlob(string Did, string Cid, string MimeType, byte[] Data);
