using System.Net;
using System.Text;
using LiveHub.Bluesky.RichText;
using Markdig;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace LiveHub.Live;

/// <summary>
/// Turns a post body into HTML that is safe to put in a page: text is always encoded, links are
/// http(s) only and marked nofollow, and raw HTML in Markdown is shown as text, never rendered.
/// Plain text gets links, hashtags and mentions detected with the same rules Bluesky uses.
/// </summary>
public static class PostRenderer
{
    private const string LinkRel = "nofollow noopener ugc";

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().DisableHtml().Build();

    public static string ToHtml(string body, LivePostFormat format) =>
        format == LivePostFormat.Markdown ? MarkdownToHtml(body) : PlainTextToHtml(body);

    public static string PlainTextToHtml(string body)
    {
        var html = new StringBuilder(body.Length + 64);
        var position = 0;
        foreach (var facet in FacetDetector.Detect(body))
        {
            AppendText(html, body[position..facet.Start]);
            var text = body[facet.Start..facet.End];
            var href = facet.Kind switch
            {
                FacetKind.Link => facet.Value,
                FacetKind.Tag => "https://bsky.app/hashtag/" + Uri.EscapeDataString(facet.Value.TrimStart('$')),
                _ => "https://bsky.app/profile/" + Uri.EscapeDataString(facet.Value),
            };
            html.Append("<a href=\"").Append(WebUtility.HtmlEncode(href)).Append("\" rel=\"").Append(LinkRel).Append("\">");
            AppendText(html, text);
            html.Append("</a>");
            position = facet.End;
        }

        AppendText(html, body[position..]);
        return html.ToString();
    }

    /// <summary>True if every link in the Markdown is http(s) or mailto; used to refuse the others with a reason.</summary>
    public static bool HasOnlySafeLinks(string markdown, out string? unsafeUrl)
    {
        unsafeUrl = null;
        foreach (var url in Links(Markdown.Parse(markdown, Pipeline)))
        {
            if (!IsSafeUrl(url))
            {
                unsafeUrl = url;
                return false;
            }
        }

        return true;
    }

    private static string MarkdownToHtml(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var node in document.Descendants())
        {
            switch (node)
            {
                case LinkInline link:
                    if (link.IsImage || !IsSafeUrl(link.Url))
                    {
                        // Images come only from uploads (with alt text); unsafe schemes are neutralised.
                        link.IsImage = false;
                        link.Url = "#";
                    }

                    link.GetAttributes().AddPropertyIfNotExist("rel", LinkRel);
                    break;
                case AutolinkInline autolink:
                    if (!IsSafeUrl(autolink.Url))
                    {
                        autolink.Url = "#";
                    }

                    autolink.GetAttributes().AddPropertyIfNotExist("rel", LinkRel);
                    break;
            }
        }

        return document.ToHtml(Pipeline).Trim();
    }

    private static IEnumerable<string?> Links(MarkdownDocument document)
    {
        foreach (var node in document.Descendants())
        {
            if (node is LinkInline link)
            {
                yield return link.Url;
            }
            else if (node is AutolinkInline autolink && !autolink.IsEmail)
            {
                yield return autolink.Url;
            }
        }
    }

    private static bool IsSafeUrl(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "mailto";

    private static void AppendText(StringBuilder html, string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (i > 0)
            {
                html.Append("<br>");
            }

            html.Append(WebUtility.HtmlEncode(lines[i]));
        }
    }
}
