using System.Net;
using System.Text.RegularExpressions;

namespace LiveHub.Bluesky.OpenGraph;

public sealed record OpenGraphData(string? Title, string? Description, string? ImageUrl, string? Url);

/// <summary>
/// Extracts link-card data from HTML: og:title / og:description / og:image, falling back to twitter:* tags, the
/// description meta tag and &lt;title&gt;. Pure parsing; fetching (timeouts, size cap, no private addresses) is the
/// caller's job.
/// </summary>
public static partial class OpenGraphParser
{
    public static OpenGraphData Parse(string html, Uri? pageUrl = null)
    {
        var meta = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match tag in MetaTag().Matches(html))
        {
            string? key = null, content = null;
            foreach (Match attribute in Attribute().Matches(tag.Value))
            {
                var name = attribute.Groups["name"].Value;
                var value = attribute.Groups["dq"].Success ? attribute.Groups["dq"].Value
                    : attribute.Groups["sq"].Success ? attribute.Groups["sq"].Value
                    : attribute.Groups["bare"].Value;
                if (name.Equals("property", StringComparison.OrdinalIgnoreCase) || name.Equals("name", StringComparison.OrdinalIgnoreCase))
                {
                    key ??= value.Trim();
                }
                else if (name.Equals("content", StringComparison.OrdinalIgnoreCase))
                {
                    content = value;
                }
            }
            if (key is { Length: > 0 } && content is not null)
            {
                meta.TryAdd(key, Clean(content));
            }
        }
        var titleMatch = TitleTag().Match(html);
        var title = First(meta, "og:title", "twitter:title") ?? (titleMatch.Success ? Clean(titleMatch.Groups["title"].Value) : null);
        var description = First(meta, "og:description", "twitter:description", "description");
        var image = Absolute(First(meta, "og:image", "og:image:url", "og:image:secure_url", "twitter:image"), pageUrl);
        var url = Absolute(First(meta, "og:url"), pageUrl) ?? pageUrl?.ToString();
        return new OpenGraphData(NullIfEmpty(title), NullIfEmpty(description), image, url);
    }

    private static string? First(Dictionary<string, string> meta, params string[] keys) =>
        keys.Select(k => meta.GetValueOrDefault(k)).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    private static string? Absolute(string? url, Uri? pageUrl)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }
        var resolved = pageUrl is null
            ? Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute : null
            : Uri.TryCreate(pageUrl, url, out var relative) ? relative : null;
        return resolved is { Scheme: "http" or "https" } ? resolved.ToString() : null;
    }

    private static string Clean(string value) => Whitespace().Replace(WebUtility.HtmlDecode(value), " ").Trim();

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    [GeneratedRegex(@"<meta\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex MetaTag();

    [GeneratedRegex(@"(?<name>[a-zA-Z_:-]+)\s*=\s*(?:""(?<dq>[^""]*)""|'(?<sq>[^']*)'|(?<bare>[^\s""'>]+))", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Attribute();

    [GeneratedRegex(@"<title\b[^>]*>(?<title>.*?)</title>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TitleTag();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
