using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;

namespace LiveHub.Bluesky;

/// <summary>
/// com.atproto.repo. Record bodies are passed as JSON strings and written verbatim, so a record frozen before the
/// first attempt is byte-identical on every retry.
/// </summary>
public sealed class RepoApi
{
    private readonly BlueskyClient client;

    internal RepoApi(BlueskyClient client) => this.client = client;

    public async Task<BlobRef> UploadBlobAsync(byte[] data, string contentType, CancellationToken cancellationToken = default)
    {
        var call = new XrpcCall(HttpMethod.Post, "com.atproto.repo.uploadBlob") { Body = data, ContentType = contentType, IsBlob = true };
        var response = await client.SendAsync(call, cancellationToken).ConfigureAwait(false);
        return response.ReadJson<UploadBlobResponse>() is { Blob: { ValueKind: JsonValueKind.Object } blob }
            ? ParseBlob(blob, response)
            : throw new XrpcException(call.Nsid, response.StatusCode, XrpcErrors.InvalidResponse, "No blob in response.", true, true);
    }

    public async Task<RecordWriteResult> CreateRecordAsync(string collection, string recordJson, string? rkey = null,
        bool? validate = null, CancellationToken cancellationToken = default)
    {
        var session = await client.EnsureSessionAsync(cancellationToken).ConfigureAwait(false);
        var body = WriteBody(session.Did, collection, rkey, recordJson, validate, RecordSwap.None);
        var response = await client.SendAsync(XrpcCall.PostJson("com.atproto.repo.createRecord", body), cancellationToken).ConfigureAwait(false);
        return response.ReadJson<RecordWriteResult>();
    }

    /// <summary>putRecord. With <see cref="RecordSwap.MustNotExist"/> it creates, no-ops on identical content, or fails with InvalidSwap.</summary>
    public async Task<RecordWriteResult> PutRecordAsync(string collection, string rkey, string recordJson, RecordSwap swapRecord,
        bool? validate = null, CancellationToken cancellationToken = default)
    {
        var session = await client.EnsureSessionAsync(cancellationToken).ConfigureAwait(false);
        var body = WriteBody(session.Did, collection, rkey, recordJson, validate, swapRecord);
        var response = await client.SendAsync(XrpcCall.PostJson("com.atproto.repo.putRecord", body), cancellationToken).ConfigureAwait(false);
        return response.ReadJson<RecordWriteResult>();
    }

    /// <summary>The record, or null when the PDS answers RecordNotFound.</summary>
    public async Task<RecordResponse?> GetRecordAsync(string collection, string rkey, string? repo = null, CancellationToken cancellationToken = default)
    {
        repo ??= (await client.EnsureSessionAsync(cancellationToken).ConfigureAwait(false)).Did;
        var call = XrpcCall.Get("com.atproto.repo.getRecord", ("repo", repo), ("collection", collection), ("rkey", rkey));
        try
        {
            var response = await client.SendAsync(call, cancellationToken).ConfigureAwait(false);
            return response.ReadJson<RecordResponse>();
        }
        catch (XrpcException ex) when (ex.Error == XrpcErrors.RecordNotFound)
        {
            return null;
        }
    }

    /// <summary>Deleting a missing record succeeds (the PDS answers 200 with no commit).</summary>
    public async Task DeleteRecordAsync(string collection, string rkey, RecordSwap? swapRecord = null, CancellationToken cancellationToken = default)
    {
        var session = await client.EnsureSessionAsync(cancellationToken).ConfigureAwait(false);
        var body = BlueskyJson.Write(w =>
        {
            w.WriteString("repo", session.Did);
            w.WriteString("collection", collection);
            w.WriteString("rkey", rkey);
            WriteSwap(w, swapRecord ?? RecordSwap.None);
        });
        await client.SendAsync(XrpcCall.PostJson("com.atproto.repo.deleteRecord", body), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Newest first unless <paramref name="reverse"/>; page with the returned cursor.</summary>
    public async Task<ListRecordsResult> ListRecordsAsync(string collection, int limit = 50, string? cursor = null, bool reverse = false,
        string? repo = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 100);
        repo ??= (await client.EnsureSessionAsync(cancellationToken).ConfigureAwait(false)).Did;
        var call = XrpcCall.Get("com.atproto.repo.listRecords", ("repo", repo), ("collection", collection),
            ("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("cursor", cursor), ("reverse", reverse ? "true" : null));
        var response = await client.SendAsync(call, cancellationToken).ConfigureAwait(false);
        return response.ReadJson<ListRecordsResult>();
    }

    /// <summary>
    /// Writes <paramref name="recordJson"/> at <paramref name="rkey"/> so that repeating the call after any failure can
    /// never create a second record: putRecord with <c>"swapRecord": null</c>, and after an ambiguous failure (timeout,
    /// dropped connection, 5xx, unreadable response) a getRecord check. Store rkey and JSON before the first call and
    /// pass the same values on every retry.
    /// </summary>
    /// <exception cref="XrpcException">
    /// Not written. <see cref="XrpcException.IsAmbiguous"/> is false when getRecord confirmed the record is absent
    /// (safe to retry), true when even that check failed (also safe to retry: the next call is idempotent too).
    /// An InvalidSwap means a different record already occupies the key.
    /// </exception>
    public async Task<IdempotentWriteResult> WriteRecordIdempotentAsync(string collection, string rkey, string recordJson,
        CancellationToken cancellationToken = default)
    {
        try
        {
            var written = await PutRecordAsync(collection, rkey, recordJson, RecordSwap.MustNotExist, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new IdempotentWriteResult(written.Uri, written.Cid,
                written.Commit is null ? IdempotentWriteOutcome.AlreadyExisted : IdempotentWriteOutcome.Created);
        }
        catch (XrpcException ex) when (ex.IsAmbiguous)
        {
            RecordResponse? existing;
            try
            {
                existing = await GetRecordAsync(collection, rkey, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (XrpcException)
            {
                ExceptionDispatchInfo.Throw(ex);
                throw;
            }
            if (existing is { Cid: not null })
            {
                // Found at our own freshly chosen TID: the ambiguous attempt went through.
                return new IdempotentWriteResult(existing.Uri, existing.Cid, IdempotentWriteOutcome.Recovered);
            }
            throw new XrpcException(ex.Nsid, ex.StatusCode, ex.Error,
                $"{ex.ErrorMessage ?? ex.Message} (getRecord confirmed nothing was written)",
                isRetryable: true, isAmbiguous: false, ex.RateLimit, ex.RetryAfter, ex);
        }
        catch (XrpcException ex) when (ex.Error == XrpcErrors.InvalidSwap)
        {
            var existing = await GetRecordAsync(collection, rkey, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (existing is { Cid: not null } && IsSameRecord(existing.Value, recordJson))
            {
                return new IdempotentWriteResult(existing.Uri, existing.Cid, IdempotentWriteOutcome.AlreadyExisted);
            }
            throw new XrpcException(ex.Nsid, ex.StatusCode, ex.Error,
                $"A different record already exists at {collection}/{rkey}: {ex.ErrorMessage}",
                isRetryable: false, isAmbiguous: false, ex.RateLimit, ex.RetryAfter, ex);
        }
    }

    /// <summary>JSON equality ignoring property order and formatting.</summary>
    internal static bool IsSameRecord(JsonElement stored, string recordJson)
    {
        using var document = JsonDocument.Parse(recordJson);
        return JsonElement.DeepEquals(stored, document.RootElement);
    }

    private static byte[] WriteBody(string repo, string collection, string? rkey, string recordJson, bool? validate, RecordSwap swap)
    {
        // Fail before sending rather than letting the server answer SyntaxError.
        using (JsonDocument.Parse(recordJson))
        {
        }
        return BlueskyJson.Write(w =>
        {
            w.WriteString("repo", repo);
            w.WriteString("collection", collection);
            if (rkey is not null)
            {
                w.WriteString("rkey", rkey);
            }
            if (validate is { } v)
            {
                w.WriteBoolean("validate", v);
            }
            WriteSwap(w, swap);
            w.WritePropertyName("record");
            w.WriteRawValue(Encoding.UTF8.GetBytes(recordJson), skipInputValidation: true);
        });
    }

    private static void WriteSwap(Utf8JsonWriter writer, RecordSwap swap)
    {
        if (!swap.IsPresent)
        {
            return;
        }
        if (swap.Cid is null)
        {
            writer.WriteNull("swapRecord");
        }
        else
        {
            writer.WriteString("swapRecord", swap.Cid);
        }
    }

    private static BlobRef ParseBlob(JsonElement blob, XrpcResponse response)
    {
        try
        {
            return BlobRef.Parse(blob);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new XrpcException(response.Nsid, response.StatusCode, XrpcErrors.InvalidResponse, ex.Message, true, true, innerException: ex);
        }
    }

    private sealed record UploadBlobResponse(JsonElement Blob);
}
