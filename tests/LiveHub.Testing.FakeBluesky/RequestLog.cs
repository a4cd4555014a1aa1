using System.Text;

namespace LiveHub.Testing.FakeBluesky;

/// <summary>One request as the fake received it. <see cref="StatusCode"/> is null while in flight and for dropped connections.</summary>
public sealed class ReceivedRequest
{
    internal ReceivedRequest(long sequence, DateTimeOffset timestamp, string method, string path, string query, string? nsid,
        string? authorization, string? contentType, string? host, string? userAgent, byte[] body)
    {
        Sequence = sequence;
        Timestamp = timestamp;
        Method = method;
        Path = path;
        Query = query;
        Nsid = nsid;
        Authorization = authorization;
        ContentType = contentType;
        Host = host;
        UserAgent = userAgent;
        Body = body;
    }

    public long Sequence { get; }

    public DateTimeOffset Timestamp { get; }

    public string Method { get; }

    public string Path { get; }

    public string Query { get; }

    /// <summary>The XRPC method for /xrpc/ paths, else null.</summary>
    public string? Nsid { get; }

    public string? Authorization { get; }

    /// <summary>The bearer token, without the scheme.</summary>
    public string? Token => Authorization is { } a && a.StartsWith("Bearer ", StringComparison.Ordinal) ? a["Bearer ".Length..] : null;

    public string? ContentType { get; }

    public string? Host { get; }

    public string? UserAgent { get; }

    public byte[] Body { get; }

    public string BodyText => Encoding.UTF8.GetString(Body);

    public int? StatusCode { get; internal set; }

    public FaultKind? Fault { get; internal set; }

    public override string ToString() => $"#{Sequence} {Method} {Path}{Query} → {StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "dropped"}";
}
