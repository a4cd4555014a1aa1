using System.Text.RegularExpressions;

namespace LiveHub.Bluesky.RichText;

public enum FacetKind
{
    Mention,
    Link,
    Tag,
}

/// <summary>
/// A detected span in UTF-16 positions [Start, End). Value is the handle (no '@') for mentions, the full URI for
/// links, and the tag without '#' for tags (cashtags keep their '$', upper-cased).
/// </summary>
public sealed record DetectedFacet(FacetKind Kind, int Start, int End, string Value)
{
    public int Length => End - Start;
}

/// <summary>
/// Finds mentions, links, hashtags and cashtags with the rules of the official client's detector. Regex notes for
/// .NET: digits are written [0-9] because \d matches every Unicode digit; the mention boundary is ASCII, not \b;
/// end of text is \z, since $ also matches before a final newline.
/// </summary>
public static partial class FacetDetector
{
    public static IReadOnlyList<DetectedFacet> Detect(string text)
    {
        var found = new List<DetectedFacet>();
        DetectMentions(text, found);
        DetectLinks(text, found);
        DetectTags(text, found);
        DetectCashtags(text, found);
        return RemoveOverlaps(found);
    }

    /// <summary>True when the last label of <paramref name="domain"/> is a known top-level domain.</summary>
    public static bool HasValidTld(string domain)
    {
        var dot = domain.LastIndexOf('.');
        return dot > 0 && dot < domain.Length - 1 && TopLevelDomains.Contains(domain[(dot + 1)..]);
    }

    private static void DetectMentions(string text, List<DetectedFacet> found)
    {
        foreach (Match match in MentionPattern().Matches(text))
        {
            var handle = match.Groups["handle"].Value;
            if (HasValidTld(handle) || handle.EndsWith(".test", StringComparison.Ordinal))
            {
                found.Add(new DetectedFacet(FacetKind.Mention, match.Index, match.Index + match.Length, handle));
            }
        }
    }

    private static void DetectLinks(string text, List<DetectedFacet> found)
    {
        foreach (Match match in LinkPattern().Matches(text))
        {
            var uri = match.Value;
            var domain = match.Groups["domain"];
            if (domain.Success)
            {
                if (!HasValidTld(domain.Value))
                {
                    continue;
                }
                uri = "https://" + uri;
            }
            var end = match.Index + match.Length;
            if (uri[^1] is '.' or ',' or ';' or ':' or '!' or '?')
            {
                uri = uri[..^1];
                end--;
            }
            if (uri[^1] == ')' && !uri.Contains('(', StringComparison.Ordinal))
            {
                uri = uri[..^1];
                end--;
            }
            found.Add(new DetectedFacet(FacetKind.Link, match.Index, end, uri));
        }
    }

    private static void DetectTags(string text, List<DetectedFacet> found)
    {
        foreach (Match match in TagPattern().Matches(text))
        {
            var tag = TrailingPunctuation().Replace(match.Groups["tag"].Value.Trim(), "");
            if (tag.Length == 0 || PostText.CountGraphemes(tag) > PostText.MaxTagGraphemes)
            {
                continue;
            }
            found.Add(new DetectedFacet(FacetKind.Tag, match.Index, match.Index + 1 + tag.Length, tag));
        }
    }

    private static void DetectCashtags(string text, List<DetectedFacet> found)
    {
        foreach (Match match in CashtagPattern().Matches(text))
        {
            found.Add(new DetectedFacet(FacetKind.Tag, match.Index, match.Index + match.Length,
                "$" + match.Groups["symbol"].Value.ToUpperInvariant()));
        }
    }

    /// <summary>Sorted by start; of two overlapping spans the earlier (then longer) one wins, as renderers drop overlaps.</summary>
    private static List<DetectedFacet> RemoveOverlaps(List<DetectedFacet> found)
    {
        var result = new List<DetectedFacet>(found.Count);
        var lastEnd = 0;
        foreach (var facet in found.OrderBy(f => f.Start).ThenByDescending(f => f.Length))
        {
            if (facet.Start >= lastEnd)
            {
                result.Add(facet);
                lastEnd = facet.End;
            }
        }
        return result;
    }

    // @ + [a-zA-Z0-9.-]+ ending at an ASCII word boundary; the last character must therefore be alphanumeric.
    [GeneratedRegex(@"(?<=^|[\s(])@(?<handle>[a-zA-Z0-9.-]+)(?<![.-])(?![a-zA-Z0-9_])", RegexOptions.CultureInvariant)]
    private static partial Regex MentionPattern();

    [GeneratedRegex(@"(?<=^|[\s(])(?:[hH][tT][tT][pP][sS]?://\S+|(?<domain>[a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9]+)+)\S*)", RegexOptions.CultureInvariant)]
    private static partial Regex LinkPattern();

    // '#' or fullwidth '＃', not a keycap (#️⃣); needs one character that is no digit, space or punctuation.
    [GeneratedRegex(@"(?<=^|\s)[#\uFF03](?!\uFE0F)(?<tag>[^\s\u00AD\u2060\u200A-\u200D\u20E2]*[^0-9\s\p{P}\u00AD\u2060\u200A-\u200D\u20E2][^\s\u00AD\u2060\u200A-\u200D\u20E2]*)", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"\p{P}+\z", RegexOptions.CultureInvariant)]
    private static partial Regex TrailingPunctuation();

    [GeneratedRegex(@"(?<=^|[\s(])\$(?<symbol>[A-Za-z][A-Za-z0-9]{0,4})(?=[\s.,;:!?)""'\u2019]|\z)", RegexOptions.CultureInvariant)]
    private static partial Regex CashtagPattern();
}
