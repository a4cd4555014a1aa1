using System.Net.Http.Headers;
using System.Text;

namespace LiveHub.Bluesky;

internal sealed class XrpcTransport(HttpClient http, BlueskyClientOptions options, TimeProvider time)
{
    private RateLimitInfo? lastRateLimit;

    public RateLimitInfo? LastRateLimit => Volatile.Read(ref lastRateLimit);

    public async Task<XrpcResponse> SendAsync(XrpcCall call, Uri baseUrl, string? bearerToken, CancellationToken cancellationToken)
    {
        using var request = BuildRequest(call, baseUrl, bearerToken);
        using var timeout = new CancellationTokenSource(call.IsBlob ? options.BlobTimeout : options.JsonTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            var now = time.GetUtcNow();
            var rateLimit = RateLimitInfo.FromHeaders(response.Headers, now);
            if (rateLimit is not null)
            {
                Volatile.Write(ref lastRateLimit, rateLimit);
            }
            if (!response.IsSuccessStatusCode)
            {
                throw XrpcException.FromResponse(call.Nsid, call.IsWrite, response.StatusCode, body, rateLimit, now);
            }
            return new XrpcResponse(call.Nsid, call.IsWrite, (int)response.StatusCode, body);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw XrpcException.Network(call.Nsid, call.IsWrite, XrpcErrors.Timeout, "No response before the timeout.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw XrpcException.Network(call.Nsid, call.IsWrite, XrpcErrors.NetworkError, ex.Message, ex);
        }
        catch (IOException ex)
        {
            throw XrpcException.Network(call.Nsid, call.IsWrite, XrpcErrors.NetworkError, ex.Message, ex);
        }
    }

    private HttpRequestMessage BuildRequest(XrpcCall call, Uri baseUrl, string? bearerToken)
    {
        var url = new StringBuilder(baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/')).Append("/xrpc/").Append(call.Nsid);
        var separator = '?';
        foreach (var (name, value) in call.Query)
        {
            url.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }
        var request = new HttpRequestMessage(call.Method, new Uri(url.ToString()));
        if (!string.IsNullOrEmpty(options.UserAgent))
        {
            request.Headers.TryAddWithoutValidation("User-Agent", options.UserAgent);
        }
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (bearerToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }
        if (call.Body is not null)
        {
            request.Content = new ByteArrayContent(call.Body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(call.ContentType ?? "application/octet-stream");
        }
        return request;
    }
}
