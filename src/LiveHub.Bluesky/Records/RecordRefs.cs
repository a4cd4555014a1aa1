using System.Globalization;
using System.Text.Json;

namespace LiveHub.Bluesky;

/// <summary>A record's URI and content hash: what replies and quotes point at.</summary>
public sealed record StrongRef(string Uri, string Cid);

public sealed record ReplyRef(StrongRef Root, StrongRef Parent);

/// <summary>An uploaded blob as referenced from records.</summary>
public sealed record BlobRef(string Cid, string MimeType, long Size)
{
    internal void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("$type", "blob");
        writer.WriteStartObject("ref");
        writer.WriteString("$link", Cid);
        writer.WriteEndObject();
        writer.WriteString("mimeType", MimeType);
        writer.WriteNumber("size", Size);
        writer.WriteEndObject();
    }

    internal static BlobRef Parse(JsonElement blob)
    {
        var cid = blob.GetProperty("ref").GetProperty("$link").GetString()
            ?? throw new JsonException("Blob without ref.$link.");
        return new BlobRef(cid, blob.GetProperty("mimeType").GetString() ?? "application/octet-stream", blob.GetProperty("size").GetInt64());
    }
}

/// <summary><c>at://{repo}/{collection}/{rkey}</c></summary>
public sealed record AtUri(string Repo, string Collection, string Rkey)
{
    public static AtUri Parse(string uri)
    {
        if (!uri.StartsWith("at://", StringComparison.Ordinal))
        {
            throw new FormatException($"Not an at:// URI: {uri}");
        }
        var parts = uri["at://".Length..].Split('/');
        return parts.Length == 3 && parts.All(p => p.Length > 0)
            ? new AtUri(parts[0], parts[1], parts[2])
            : throw new FormatException($"Expected at://repo/collection/rkey: {uri}");
    }

    public override string ToString() => $"at://{Repo}/{Collection}/{Rkey}";
}

/// <summary>Datetimes in the form the lexicon wants and the PDS stores: <c>2026-11-21T13:40:00.000Z</c>.</summary>
public static class AtDateTime
{
    public const string Format = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'";

    public static string ToString(DateTimeOffset value) =>
        value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);
}

/// <summary>The swapRecord argument of putRecord/deleteRecord: omitted, JSON null (must not exist yet), or a CID.</summary>
public sealed record RecordSwap
{
    private RecordSwap(bool isPresent, string? cid)
    {
        IsPresent = isPresent;
        Cid = cid;
    }

    public static RecordSwap None { get; } = new(false, null);

    /// <summary><c>"swapRecord": null</c>: write only if no record exists at the key (identical content is a no-op).</summary>
    public static RecordSwap MustNotExist { get; } = new(true, null);

    public bool IsPresent { get; }

    public string? Cid { get; }

    public static RecordSwap Matching(string cid) => new(true, cid);
}

public sealed record CommitMeta(string Cid, string Rev);

public sealed record RecordWriteResult(string Uri, string Cid, CommitMeta? Commit, string? ValidationStatus)
{
    public StrongRef Ref => new(Uri, Cid);
}

public sealed record RecordResponse(string Uri, string? Cid, JsonElement Value)
{
    public StrongRef Ref => new(Uri, Cid ?? throw new InvalidOperationException($"{Uri} was returned without a CID."));
}

public sealed record ListRecordsResult(IReadOnlyList<RecordResponse> Records, string? Cursor);

/// <summary>A record serialised once, with its key chosen, ready to be stored before the first write attempt.</summary>
public sealed record PreparedRecord(string Collection, string Rkey, string Json);

public enum IdempotentWriteOutcome
{
    /// <summary>This call created the record.</summary>
    Created,

    /// <summary>The record was already there with the same content (an earlier attempt had succeeded).</summary>
    AlreadyExisted,

    /// <summary>The write's outcome was unknown; getRecord found the record, so it is written.</summary>
    Recovered,
}

public sealed record IdempotentWriteResult(string Uri, string Cid, IdempotentWriteOutcome Outcome)
{
    public StrongRef Ref => new(Uri, Cid);
}
