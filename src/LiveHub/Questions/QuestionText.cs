using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LiveHub.Bluesky;
using LiveHub.Problems;

namespace LiveHub.Questions;

/// <summary>What a question's text may be, and the links in it that are safe to show.</summary>
public static partial class QuestionText
{
    public const int MaxLinks = 2;

    /// <summary>Checks a question typed on the live page; returns the text to store (trimmed, line endings normalised).</summary>
    public static string? ValidateWebText(string? raw, ValidationErrors errors)
    {
        if (!errors.Required("text", raw))
        {
            return null;
        }

        var text = raw!.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
        if (text.Length > QuestionLimits.WebText)
        {
            errors.Add("text", $"must be at most {QuestionLimits.WebText} characters (got {text.Length}).");
        }

        if (text.Any(c => char.IsControl(c) && c != '\n') || text.Any(c => char.IsSurrogate(c)) && !IsWellFormed(text))
        {
            errors.Add("text", "must not contain control characters.");
        }

        if (HtmlTag().IsMatch(text) || HtmlEntity().IsMatch(text))
        {
            errors.Add("text", "must be plain text: HTML tags and entities are not allowed.");
        }

        if (UrlLike().Count(text) > MaxLinks)
        {
            errors.Add("text", $"may contain at most {MaxLinks} links.");
        }

        return errors.Has("text") ? null : text;
    }

    /// <summary>The same question asked again (case, spaces and punctuation aside).</summary>
    public static string Fingerprint(string text) =>
        string.Concat(text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant));

    /// <summary>
    /// A reply's link facets as UTF-16 ranges of <paramref name="text"/>, for http and https targets only; a facet that
    /// does not fall on character boundaries or reaches past <paramref name="text"/> (cut to length) is left out.
    /// </summary>
    public static List<QuestionLink> LinksFrom(string text, IReadOnlyList<Facet> facets)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var links = new List<QuestionLink>();
        foreach (var facet in facets.OrderBy(f => f.ByteStart))
        {
            if (facet.Features.OfType<LinkFeature>().FirstOrDefault() is not { } link || !IsSafeUrl(link.Uri)
                || facet.ByteEnd > bytes.Length || !IsBoundary(bytes, facet.ByteStart) || !IsBoundary(bytes, facet.ByteEnd)
                || (links.Count > 0 && Encoding.UTF8.GetByteCount(text.AsSpan(0, links[^1].Start + links[^1].Length)) > facet.ByteStart))
            {
                continue;
            }

            var start = Encoding.UTF8.GetCharCount(bytes, 0, facet.ByteStart);
            var length = Encoding.UTF8.GetCharCount(bytes, facet.ByteStart, facet.ByteEnd - facet.ByteStart);
            links.Add(new QuestionLink(start, length, link.Uri));
        }

        return links;
    }

    public static bool IsSafeUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && !string.IsNullOrEmpty(uri.Host) && value!.Length <= 2_000;

    public static string? LinksJson(IReadOnlyList<QuestionLink> links) =>
        links.Count == 0 ? null : JsonSerializer.Serialize(links, JsonOptions);

    public static IReadOnlyList<QuestionLink> ReadLinks(string? json, string text)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        try
        {
            // Checked again on the way out: a link must lie within the text and point at http(s).
            return [.. (JsonSerializer.Deserialize<List<QuestionLink>>(json, JsonOptions) ?? [])
                .Where(l => l.Start >= 0 && l.Length > 0 && l.Start + l.Length <= text.Length && IsSafeUrl(l.Uri))];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>A Bluesky handle that can be put in a profile URL as it is.</summary>
    public static bool IsHandle(string? handle) => handle is { Length: > 0 and <= QuestionLimits.Handle } && HandlePattern().IsMatch(handle);

    public static string? ProfileUrl(string? handle) => IsHandle(handle) ? $"https://bsky.app/profile/{handle}" : null;

    public static string? PostUrl(string? uri)
    {
        if (uri is null)
        {
            return null;
        }

        try
        {
            var parsed = AtUri.Parse(uri);
            return DidPattern().IsMatch(parsed.Repo) && RkeyPattern().IsMatch(parsed.Rkey)
                ? $"https://bsky.app/profile/{parsed.Repo}/post/{parsed.Rkey}"
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static bool IsBoundary(byte[] bytes, int index) => index == bytes.Length || (index < bytes.Length && (bytes[index] & 0xC0) != 0x80);

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    [GeneratedRegex(@"<\s*[/!?]?\s*[A-Za-z]", RegexOptions.CultureInvariant)]
    private static partial Regex HtmlTag();

    [GeneratedRegex(@"&(#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]{1,31});", RegexOptions.CultureInvariant)]
    private static partial Regex HtmlEntity();

    [GeneratedRegex(@"(https?://|www\.)\S+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex UrlLike();

    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex HandlePattern();

    [GeneratedRegex(@"^did:[a-z]+:[A-Za-z0-9._:%-]{1,2000}$", RegexOptions.CultureInvariant)]
    private static partial Regex DidPattern();

    [GeneratedRegex(@"^[A-Za-z0-9._:~-]{1,512}$", RegexOptions.CultureInvariant)]
    private static partial Regex RkeyPattern();
}
