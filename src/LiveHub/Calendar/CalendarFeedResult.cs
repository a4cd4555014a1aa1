using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace LiveHub.Calendar;

/// <summary>A rendered feed: the bytes, their strong ETag and the Last-Modified time (whole seconds).</summary>
internal sealed record RenderedFeed(byte[] Body, string ETag, DateTime LastModifiedUtc)
{
    public static RenderedFeed Create(byte[] body, DateTime lastModifiedUtc)
    {
        var hash = SHA256.HashData(body);
        var etag = "\"" + Convert.ToHexStringLower(hash.AsSpan(0, 16)) + "\"";
        var seconds = new DateTime(lastModifiedUtc.Ticks - (lastModifiedUtc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        return new RenderedFeed(body, etag, seconds);
    }
}

/// <summary>
/// Writes a feed with validators and answers conditional requests: If-None-Match first (lists, weak comparison,
/// <c>*</c>), If-Modified-Since only without it; a 304 repeats ETag, Last-Modified and Cache-Control.
/// </summary>
internal sealed class CalendarFeedResult(RenderedFeed feed, string cacheControl, string? downloadFileName) : IResult
{
    public const string ContentType = "text/calendar; charset=utf-8";

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var request = httpContext.Request;
        var response = httpContext.Response;
        response.Headers.ETag = feed.ETag;
        response.Headers.LastModified = feed.LastModifiedUtc.ToString("R", CultureInfo.InvariantCulture);
        response.Headers.CacheControl = cacheControl;

        if (IsNotModified(request))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.ContentLength = feed.Body.Length;
        if (downloadFileName is not null)
        {
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName(downloadFileName);
            response.Headers.ContentDisposition = disposition.ToString();
        }

        return HttpMethods.IsHead(request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(feed.Body, httpContext.RequestAborted).AsTask();
    }

    private bool IsNotModified(HttpRequest request)
    {
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return false;
        }

        var ifNoneMatch = request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            var ours = new EntityTagHeaderValue(feed.ETag);
            if (!EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags))
            {
                return false;
            }

            return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(ours, useStrongComparison: false));
        }

        var ifModifiedSince = request.Headers.IfModifiedSince;
        return ifModifiedSince.Count > 0
            && HeaderUtilities.TryParseDate(ifModifiedSince.ToString(), out var since)
            && feed.LastModifiedUtc <= since.UtcDateTime;
    }
}
