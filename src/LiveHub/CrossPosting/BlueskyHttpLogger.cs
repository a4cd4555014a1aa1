using LiveHub.Operations;
using Microsoft.Extensions.Http.Logging;

namespace LiveHub.CrossPosting;

/// <summary>
/// Logs the Bluesky client's requests by method, path and status only. It replaces the HttpClient factory's default
/// logging, whose trace records carry every request header as structured values (unredacted, whatever the
/// redaction settings do to the message text), and the Authorization header holds the account's access or refresh JWT.
/// </summary>
internal sealed class BlueskyHttpLogger(ILogger<BlueskyHttpLogger> logger, LiveHubMetrics metrics) : IHttpClientLogger
{
    public object? LogRequestStart(HttpRequestMessage request)
    {
        logger.LogDebug("Sending {Method} {Path} to Bluesky", request.Method, request.RequestUri?.AbsolutePath);
        return null;
    }

    public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed)
    {
        metrics.BlueskyCall(Method(request), LiveHubMetrics.Outcome((int)response.StatusCode), elapsed);
        logger.LogInformation("Bluesky answered {Method} {Path} with {StatusCode} after {ElapsedMilliseconds:0} ms",
            request.Method, request.RequestUri?.AbsolutePath, (int)response.StatusCode, elapsed.TotalMilliseconds);
    }

    public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed)
    {
        metrics.BlueskyCall(Method(request), LiveHubMetrics.Outcome(response is null ? null : (int)response.StatusCode), elapsed);
        logger.LogInformation("Bluesky request {Method} {Path} failed after {ElapsedMilliseconds:0} ms: {Error}",
            request.Method, request.RequestUri?.AbsolutePath, elapsed.TotalMilliseconds, exception.Message);
    }

    /// <summary>The XRPC method (the NSID after /xrpc/), never the query string.</summary>
    private static string Method(HttpRequestMessage request) =>
        request.RequestUri?.AbsolutePath is { } path && path.StartsWith("/xrpc/", StringComparison.Ordinal) ? path["/xrpc/".Length..] : "other";
}
