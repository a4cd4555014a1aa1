using System.Net.Http.Headers;
using System.Text.Json;

namespace LiveHub.Bluesky;

public sealed class IdentityApi : IHandleResolver
{
    private const string ResolveHandleNsid = "com.atproto.identity.resolveHandle";
    private readonly BlueskyClient client;
    private readonly HttpClient http;

    internal IdentityApi(BlueskyClient client, HttpClient http)
    {
        this.client = client;
        this.http = http;
    }

    /// <summary>Handle → DID through the XRPC method; throws <see cref="XrpcException"/> HandleNotFound if unknown.</summary>
    public async Task<string> ResolveHandleAsync(string handle, CancellationToken cancellationToken = default)
    {
        var call = XrpcCall.Get(ResolveHandleNsid, ("handle", handle.TrimStart('@'))) with { Auth = XrpcAuth.None };
        var response = await client.SendAsync(call, cancellationToken).ConfigureAwait(false);
        return response.ReadJson<ResolveHandleResponse>().Did;
    }

    /// <summary>Null when the handle does not exist or is not a valid handle; other failures throw.</summary>
    public async Task<string?> TryResolveHandleAsync(string handle, CancellationToken cancellationToken = default)
    {
        try
        {
            return await ResolveHandleAsync(handle, cancellationToken).ConfigureAwait(false);
        }
        catch (XrpcException ex) when (ex.Error is XrpcErrors.HandleNotFound or XrpcErrors.InvalidRequest)
        {
            return null;
        }
    }

    Task<string?> IHandleResolver.ResolveHandleAsync(string handle, CancellationToken cancellationToken) =>
        TryResolveHandleAsync(handle, cancellationToken);

    /// <summary>did:plc through the PLC directory, did:web through https://host/.well-known/did.json.</summary>
    public async Task<DidDocument> ResolveDidDocumentAsync(string did, CancellationToken cancellationToken = default)
    {
        var url = DidDocumentUrl(did, client.Options.PlcDirectoryUrl);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation("User-Agent", client.Options.UserAgent);
        using var timeout = new CancellationTokenSource(client.Options.JsonTimeout, client.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        const string what = "did-resolution";
        try
        {
            using var response = await http.SendAsync(request, linked.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw XrpcException.FromResponse(what, isWrite: false, response.StatusCode, body, null, client.Time.GetUtcNow());
            }
            using var document = JsonDocument.Parse(body);
            var parsed = DidDocument.Parse(document.RootElement);
            return parsed.Id == did
                ? parsed
                : throw new XrpcException(what, (int)response.StatusCode, XrpcErrors.InvalidResponse,
                    $"DID document id {parsed.Id} does not match {did}.", isRetryable: false, isAmbiguous: false);
        }
        catch (JsonException ex)
        {
            throw new XrpcException(what, 200, XrpcErrors.InvalidResponse, ex.Message, isRetryable: true, isAmbiguous: false, innerException: ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw XrpcException.Network(what, isWrite: false, XrpcErrors.Timeout, "No response before the timeout.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw XrpcException.Network(what, isWrite: false, XrpcErrors.NetworkError, ex.Message, ex);
        }
    }

    internal static Uri DidDocumentUrl(string did, Uri plcDirectory)
    {
        if (did.StartsWith("did:plc:", StringComparison.Ordinal))
        {
            // Built as a string: new Uri(base, "did:plc:…") would read "did:" as a scheme.
            return new Uri(plcDirectory.ToString().TrimEnd('/') + "/" + did);
        }
        if (did.StartsWith("did:web:", StringComparison.Ordinal))
        {
            var host = Uri.UnescapeDataString(did["did:web:".Length..]);
            if (host.Contains(':', StringComparison.Ordinal) && !host.Contains("localhost", StringComparison.Ordinal))
            {
                throw new ArgumentException($"did:web with a path or port is not supported for atproto: {did}", nameof(did));
            }
            return new Uri($"https://{host}/.well-known/did.json");
        }
        throw new ArgumentException($"Unsupported DID method: {did}", nameof(did));
    }

    private sealed record ResolveHandleResponse(string Did);
}
