using System.Net;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using LiveHub.Calendar;
using LiveHub.Data;
using LiveHub.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Embed;

/// <summary>An oEmbed 1.0 "rich" response (https://oembed.com, section 2.3.4); names as the spec spells them.</summary>
public sealed record OEmbedResponse(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("provider_name")] string ProviderName,
    [property: JsonPropertyName("provider_url")] string ProviderUrl,
    [property: JsonPropertyName("html")] string Html,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("cache_age")] int CacheAge);

/// <summary>
/// <c>GET /oembed?url=…&amp;format=json</c> for this site's event, session and live URLs: the html is an iframe of
/// the matching /embed page. Unknown URLs (another site, an unpublished event) are 404, a format other than json is
/// 501 (as the spec says), bad parameters are 400 problem details.
/// </summary>
public static partial class OEmbedEndpoint
{
    public const int DefaultWidth = 550;
    public const int DefaultHeight = 600;
    public const int MaxUrlLength = 2_000;
    private const int MaxDimension = 10_000;

    public static void MapOEmbed(this IEndpointRouteBuilder app) =>
        app.MapGet("/oembed", OEmbedAsync).WithTags("Embed").RequireRateLimiting(EmbedFeature.OEmbedRateLimit);

    /// <summary>The discovery link of a page (its path on this site), for a &lt;link rel="alternate"&gt; tag.</summary>
    public static string DiscoveryUrl(string baseUrl, string pagePath) =>
        $"{baseUrl}/oembed?url={Uri.EscapeDataString(baseUrl + pagePath)}&format=json";

    private static async Task<Results<Ok<OEmbedResponse>, ValidationProblem, ProblemHttpResult>> OEmbedAsync(
        string? url, string? format, string? maxwidth, string? maxheight, HttpContext http, LiveHubDbContext db, PublicUrls urls, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(url))
        {
            errors.Add("url", "is required: the address of an event, session or live page of this site.");
        }
        else
        {
            errors.MaxLength("url", url, MaxUrlLength);
        }

        var width = Dimension("maxwidth", maxwidth, DefaultWidth, errors);
        var height = Dimension("maxheight", maxheight, DefaultHeight, errors);
        if (errors.HasErrors)
        {
            return errors.ToProblem();
        }

        if (!string.IsNullOrEmpty(format) && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status501NotImplemented, title: "Format not supported",
                detail: $"Only format=json is offered (not '{Truncate(format)}').");
        }

        var baseUrl = urls.BaseUrl(http.Request);
        if (Match(url!, baseUrl) is not { } target)
        {
            return NotFound(url!);
        }

        var e = await db.Events.AsNoTracking().Include(x => x.Sessions).FirstOrDefaultAsync(x => x.Slug == target.Slug && x.IsPublished, cancellationToken);
        var session = target.SessionId is { } id ? e?.Sessions.FirstOrDefault(s => s.Id == id) : null;
        if (e is null || (target.SessionId is not null && session is null))
        {
            return NotFound(url!);
        }

        var title = session is null ? $"Live: {e.Title}" : $"Live: {session.Title} ({e.Title})";
        var src = baseUrl + EmbedPages.EmbedPath(e.Slug, session?.Id);
        // The frame follows the host page's width up to the width asked for; sandboxed so it can never navigate the host.
        var html = $"<iframe src=\"{WebUtility.HtmlEncode(src)}\" width=\"{width}\" height=\"{height}\" title=\"{WebUtility.HtmlEncode(title)}\" " +
                   $"loading=\"lazy\" sandbox=\"allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox\" " +
                   $"style=\"border:0;width:100%;max-width:{width}px\"></iframe>";
        return TypedResults.Ok(new OEmbedResponse("1.0", "rich", title, "LiveHub", baseUrl + "/", html, width, height, CacheAge: 3600));
    }

    private static int Dimension(string field, string? value, int preferred, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return preferred;
        }

        if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var max) || max is < 1 or > MaxDimension)
        {
            errors.Add(field, $"must be a whole number of pixels from 1 to {MaxDimension}.");
            return preferred;
        }

        return Math.Min(preferred, max);
    }

    private sealed record Target(string Slug, Guid? SessionId);

    /// <summary>An event, session or live page (or its embed) under this site's base URL; query and fragment are ignored.</summary>
    private static Target? Match(string url, string baseUrl)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || !Uri.TryCreate(baseUrl + "/", UriKind.Absolute, out var site)
            || !string.Equals(uri.Scheme, site.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(uri.Host, site.Host, StringComparison.OrdinalIgnoreCase) || uri.Port != site.Port
            || !uri.AbsolutePath.StartsWith(site.AbsolutePath, StringComparison.Ordinal))
        {
            return null;
        }

        var path = "/" + uri.AbsolutePath[site.AbsolutePath.Length..].TrimEnd('/');
        var match = PagePath().Match(path);
        if (!match.Success)
        {
            return null;
        }

        var slug = Uri.UnescapeDataString(match.Groups["slug"].Value);
        return match.Groups["session"].Success ? new Target(slug, Guid.Parse(match.Groups["session"].Value)) : new Target(slug, null);
    }

    [GeneratedRegex(@"^/(events|live|embed/live)/(?<slug>[^/]+)(/sessions/(?<session>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex PagePath();

    private static ProblemHttpResult NotFound(string url) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Nothing to embed",
            detail: $"'{Truncate(url)}' is not an event, session or live page of this site.");

    private static string Truncate(string value) => value.Length <= 200 ? value : value[..200] + "…";
}
