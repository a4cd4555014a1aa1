using System.Text;
using LiveHub.Bluesky.RichText;
using LiveHub.Live;
using LiveHub.Localisation;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace LiveHub.CrossPosting;

/// <summary>One Bluesky post of a live post: its text and the languages of that text ("cy", "en", "cy,en"; null: the account's default).</summary>
internal sealed record CrossPostPart(string Text, string? Langs);

/// <summary>The text a live post becomes on Bluesky, split into chunks that each fit one post.</summary>
internal static class CrossPostText
{
    public static IReadOnlyList<string> Compose(LivePost post, string? speakerName, string? hashtags, bool correction) =>
        [.. ComposeParts(post, speakerName, hashtags, correction).Select(part => part.Text)];

    /// <summary>
    /// The posts a live post becomes, each with the languages of its text (null: the account's default language). A
    /// bilingual update is Welsh first then English: in one post when both fit, otherwise the Welsh post(s) then the
    /// English, as consecutive parts of the same change (sent in order, exactly once, like any split post).
    /// </summary>
    public static IReadOnlyList<CrossPostPart> ComposeParts(LivePost post, string? speakerName, string? hashtags, bool correction)
    {
        var english = Body(post.Body, post, speakerName, correction, SiteCultures.English);
        if (string.IsNullOrWhiteSpace(post.BodyCy))
        {
            return [.. PostSplitter.Split(Decorate(english, english, post, hashtags)).Select(text => new CrossPostPart(text, null))];
        }

        var welsh = Body(post.BodyCy, post, speakerName, correction, SiteCultures.Welsh);
        var both = Decorate(welsh + "\n\n" + english, welsh + "\n" + english, post, hashtags);
        if (PostText.Fits(PostText.CleanNewlines(both).Trim()))
        {
            return [new CrossPostPart(PostSplitter.Split(both).Single(), $"{SiteCultures.Welsh},{SiteCultures.English}")];
        }

        return
        [
            .. PostSplitter.Split(Decorate(welsh, welsh, post, hashtags)).Select(text => new CrossPostPart(text, SiteCultures.Welsh)),
            .. PostSplitter.Split(Decorate(english, english, post, hashtags)).Select(text => new CrossPostPart(text, SiteCultures.English)),
        ];
    }

    /// <summary>The update's text with its kind's prefix, in the language of the text.</summary>
    private static string Body(string raw, LivePost post, string? speakerName, bool correction, string language)
    {
        var body = post.Format == LivePostFormat.Markdown ? MarkdownToText(raw) : raw.Trim();
        body = post.Kind switch
        {
            LivePostKind.Quote when speakerName is not null => $"\u201C{body}\u201D \u2014 {speakerName}",
            LivePostKind.KeyMoment => SiteText.Get("Key moment: {0}", language, body),
            _ => body,
        };
        return correction ? SiteText.Get("Correction: {0}", language, body) : body;
    }

    /// <param name="searched">The text (without prefixes) that may already hold the link or the tags.</param>
    private static string Decorate(string body, string searched, LivePost post, string? hashtags)
    {
        var text = new StringBuilder(body);
        if (post.LinkUrl is { Length: > 0 } link && !searched.Contains(link, StringComparison.Ordinal))
        {
            text.Append('\n').Append(link);
        }

        var tags = Hashtags(hashtags).Where(t => !searched.Contains(t, StringComparison.OrdinalIgnoreCase)).ToList();
        if (tags.Count > 0)
        {
            text.Append("\n\n").Append(string.Join(' ', tags));
        }

        return text.ToString();
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
