using System.Text;
using LiveHub.Bluesky.RichText;
using LiveHub.Live;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace LiveHub.CrossPosting;

/// <summary>The text a live post becomes on Bluesky, split into chunks that each fit one post.</summary>
internal static class CrossPostText
{
    public const string CorrectionPrefix = "Correction: ";

    public static IReadOnlyList<string> Compose(LivePost post, string? speakerName, string? hashtags, bool correction)
    {
        var body = post.Format == LivePostFormat.Markdown ? MarkdownToText(post.Body) : post.Body.Trim();
        body = post.Kind switch
        {
            LivePostKind.Quote when speakerName is not null => $"\u201C{body}\u201D \u2014 {speakerName}",
            LivePostKind.KeyMoment => $"Key moment: {body}",
            _ => body,
        };

        var text = new StringBuilder(correction ? CorrectionPrefix + body : body);
        if (post.LinkUrl is { Length: > 0 } link && !body.Contains(link, StringComparison.Ordinal))
        {
            text.Append('\n').Append(link);
        }

        var tags = Hashtags(hashtags).Where(t => !body.Contains(t, StringComparison.OrdinalIgnoreCase)).ToList();
        if (tags.Count > 0)
        {
            text.Append("\n\n").Append(string.Join(' ', tags));
        }

        return PostSplitter.Split(text.ToString());
    }

    /// <summary>"conf live, #Panel" → ["#conf", "#live", "#Panel"].</summary>
    public static IEnumerable<string> Hashtags(string? value) =>
        (value ?? "").Split([' ', ',', ';', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.StartsWith('#') ? t : "#" + t)
            .Where(t => t.Length > 1)
            .Distinct(StringComparer.OrdinalIgnoreCase);

    /// <summary>Markdown as plain text, keeping link targets that the visible text does not show.</summary>
    private static string MarkdownToText(string markdown)
    {
        var plain = Markdown.ToPlainText(markdown).Trim();
        var document = Markdown.Parse(markdown);
        var links = document.Descendants<LinkInline>()
            .Where(l => !l.IsImage && l.Url is { Length: > 0 } && (l.Url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || l.Url.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
            .Select(l => l.Url!)
            .Where(url => !plain.Contains(url, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return links.Count == 0 ? plain : plain + "\n" + string.Join('\n', links);
    }
}
