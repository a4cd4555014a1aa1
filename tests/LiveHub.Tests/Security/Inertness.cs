using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace LiveHub.Tests.Security;

/// <summary>Hostile text for every staff-entered field.</summary>
public static class XssPayloads
{
    public static readonly IReadOnlyList<string> All =
    [
        "<script>alert(1)</script>",
        "</script><script>alert(2)</script>",
        "\"><img src=x onerror=alert(3)>",
        "'><svg onload=alert(4)>",
        "<svg><script>alert(5)</script></svg>",
        "javascript:alert(6)",
        "<a href=\"javascript:alert(7)\">click</a>",
        "{{constructor.constructor('alert(8)')()}} ${alert(8)}",
        "--><!--<script>alert(9)</script>-->",
        "]]><script>alert(10)</script><![CDATA[",
        "\u2028\u2029<script>alert(11)</script>\u2028.",
        "<iframe src=\"javascript:alert(12)\"></iframe>",
        "&lt;script&gt;alert(13)&lt;/script&gt; &#60;script&#62;",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(14)>",
        "\" autofocus onfocus=alert(15) x=\"",
        "<base href=\"https://evil.example/\"><meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(16)\">",
        "<object data=\"javascript:alert(17)\"></object><embed src=\"javascript:alert(17)\">",
        "<style>*{background:url(javascript:alert(18))}</style><div style=\"x:expression(alert(18))\">",
        "\uFEFF\u202E<ScRiPt>alert(19)</sCrIpT>\u200B",
        "<form action=\"javascript:alert(20)\"><button formaction=\"javascript:alert(20)\">x</button></form>",
        "<img src=\"x\" onerror=\"alert(21)\"//",
        "<<script>alert(22);//<</script>",
    ];

    /// <summary>http(s) URLs (they pass the URL check) that try to break out of an attribute.</summary>
    public static readonly IReadOnlyList<string> Urls =
    [
        "https://evil.example/\"onmouseover=\"alert(30)",
        "https://evil.example/?q='><script>alert(31)</script>",
        "https://evil.example/#</script><script>alert(32)</script>",
    ];

    /// <summary>Link schemes the URL fields must refuse.</summary>
    public static readonly IReadOnlyList<string> BadUrls =
    [
        "javascript:alert(40)",
        " JaVaScRiPt:alert(41)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCg0Mik8L3NjcmlwdD4=",
        "vbscript:msgbox(43)",
        "//evil.example/x",
    ];

    /// <summary>Markdown that a naive renderer turns into live markup; it must be refused or come out inert.</summary>
    public static readonly IReadOnlyList<string> Markdown =
    [
        "**<img src=x onerror=alert(50)>** and `<script>alert(50)</script>`",
        "<div onclick=\"alert(51)\">raw html block</div>\n\n<script>alert(51)</script>",
        "[ok](https://evil.example/\"onmouseover=\"alert(52)) and <https://evil.example/?\"onmouseover=alert(52)>",
        "![img](https://evil.example/x.png \"title\\\" onerror=alert(53)\")",
        "[a]: https://evil.example/\"onclick=\"alert(54)\n\n[a] and [b](<https://evil.example/> \"t\")",
        "> quote <svg onload=alert(55)>\n\n- item ]]> --> \u2028 end",
    ];

    /// <summary>Markdown links with unsafe schemes: refused with a reason naming 'body'.</summary>
    public static readonly IReadOnlyList<string> MarkdownWithBadLinks =
    [
        "[click](javascript:alert(60))",
        "[click](JAVASCRIPT:alert(61))",
        "[click](&#106;avascript:alert(62))",
        "<javascript:alert(63)>",
        "[ref]\n\n[ref]: javascript:alert(64)",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCg2NSk8L3NjcmlwdD4=)",
        "[click](vbscript:msgbox(66))",
    ];
}

/// <summary>Structural checks that text from staff never became markup, in HTML, JSON-LD, Atom and iCalendar.</summary>
public static class Inertness
{
    private static readonly HashSet<string> Elements = new(StringComparer.Ordinal)
    {
        "html", "head", "meta", "title", "link", "script", "body", "a", "header", "nav", "main", "footer", "p", "h1", "h2", "h3",
        "h4", "h5", "h6", "article", "section", "dl", "dt", "dd", "time", "span", "br", "strong", "em", "ol", "ul", "li", "label",
        "input", "button", "div", "kbd", "figure", "blockquote", "figcaption", "img", "code", "pre", "hr", "details", "summary", "form",
        "select", "option", "noscript", "textarea",
    };

    private static readonly HashSet<string> UrlAttributes = new(StringComparer.OrdinalIgnoreCase)
    {
        "href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "srcset", "ping", "manifest",
    };

    private static readonly HtmlParser Parser = new();

    /// <summary>
    /// Parses the page the way a browser would and fails if anything in it could run script or change where the page
    /// points. Returns every text node and attribute value, for checking that the payloads are there as text.
    /// </summary>
    public static List<string> AssertInertHtml(string html, string where, string siteOrigin)
    {
        var document = Parser.ParseDocument(html);
        var texts = new List<string> { document.DocumentElement.TextContent };
        foreach (var element in document.All)
        {
            var name = element.LocalName;
            Assert.True(Elements.Contains(name), $"{where}: unexpected <{name}> element: {Excerpt(element.OuterHtml)}");
            foreach (var attribute in element.Attributes)
            {
                texts.Add(attribute.Value);
                var attributeName = attribute.Name.ToLowerInvariant();
                Assert.False(attributeName.StartsWith("on", StringComparison.Ordinal), $"{where}: event handler attribute '{attribute.Name}' on <{name}>: {Excerpt(element.OuterHtml)}");
                Assert.False(attributeName is "style" or "autofocus" or "formaction" or "srcdoc" or "http-equiv",
                    $"{where}: '{attribute.Name}' attribute on <{name}>: {Excerpt(element.OuterHtml)}");
                if (UrlAttributes.Contains(attributeName))
                {
                    AssertSafeUrl(attribute.Value, $"{where}: {attribute.Name} of <{name}>");
                }
            }

            switch (name)
            {
                case "script":
                    AssertAppScript(element, where, siteOrigin);
                    break;
                case "img":
                    var src = element.GetAttribute("src") ?? "";
                    // Speakers' photos are the one kind of image staff link to elsewhere; https only (the CSP allows no other).
                    var speakerPhoto = element.ClassList.Contains("speaker-photo") && src.StartsWith("https://", StringComparison.Ordinal);
                    Assert.True(src.StartsWith("/media/", StringComparison.Ordinal) || speakerPhoto, $"{where}: image not from the site's uploads: {Excerpt(element.OuterHtml)}");
                    break;
                case "link":
                    var href = element.GetAttribute("href") ?? "";
                    Assert.True(IsSameSite(href, siteOrigin), $"{where}: <link> to another site: {Excerpt(element.OuterHtml)}");
                    break;
                case "meta":
                    // Sharing previews: OpenGraph (property="og:…") and Twitter/X cards (name="twitter:…"), with content only.
                    var sharing = (element.GetAttribute("property")?.StartsWith("og:", StringComparison.Ordinal) ?? false)
                        || (element.GetAttribute("name")?.StartsWith("twitter:", StringComparison.Ordinal) ?? false);
                    Assert.True(element.HasAttribute("charset") || element.GetAttribute("name") is "viewport" or "description" or "robots" || sharing,
                        $"{where}: unexpected <meta>: {Excerpt(element.OuterHtml)}");
                    if (sharing)
                    {
                        Assert.True(element.Attributes.All(a => a.Name is "property" or "name" or "content"), $"{where}: unexpected attribute on a sharing <meta>: {Excerpt(element.OuterHtml)}");
                        if (element.GetAttribute("property") is "og:image" or "og:url")
                        {
                            AssertSafeUrl(element.GetAttribute("content") ?? "", $"{where}: {element.GetAttribute("property")}");
                        }
                    }
                    break;
            }
        }

        return texts;
    }

    /// <summary>Only the app's own scripts: external ones from this site, and JSON-LD that is data and cannot end the element.</summary>
    private static void AssertAppScript(IElement script, string where, string siteOrigin)
    {
        var type = script.GetAttribute("type");
        if (type == "application/ld+json")
        {
            Assert.False(script.HasAttribute("src"), $"{where}: JSON-LD with a src");
            AssertJsonLd(script.TextContent, where);
            return;
        }

        // The localised text for the scripts (Localisation/ScriptStrings.cs): data, never run, and nothing in it can end the element.
        if (type == "application/json" && script.Id == "livehub-strings")
        {
            Assert.False(script.HasAttribute("src"), $"{where}: script strings with a src");
            Assert.DoesNotContain("<", script.TextContent, StringComparison.Ordinal);
            Assert.NotNull(System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(script.TextContent));
            return;
        }

        var src = script.GetAttribute("src");
        Assert.True(src is not null && IsSameSite(src, siteOrigin), $"{where}: a script that is not one of the site's files: {Excerpt(script.OuterHtml)}");
        Assert.True(type is null or "module", $"{where}: script type '{type}'");
        Assert.True(string.IsNullOrWhiteSpace(script.TextContent), $"{where}: external script with inline text: {Excerpt(script.OuterHtml)}");
    }

    public static JsonElement AssertJsonLd(string json, string where)
    {
        Assert.DoesNotContain("</script", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<!--", json, StringComparison.Ordinal);
        Assert.DoesNotContain("]]>", json, StringComparison.Ordinal);
        try
        {
            return JsonDocument.Parse(json).RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"{where}: JSON-LD does not parse: {e.Message}\n{Excerpt(json)}");
        }
    }

    private static bool IsSameSite(string url, string siteOrigin) =>
        (url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal))
        || url.StartsWith(siteOrigin + "/", StringComparison.Ordinal);

    /// <summary>Fails for a URL a browser would run or load as a document of another kind (the way browsers read it: tabs, newlines and leading controls ignored).</summary>
    public static void AssertSafeUrl(string value, string where)
    {
        var normalised = new string([.. value.Where(c => c > ' ' && c != '\u007F')]).ToLowerInvariant();
        foreach (var scheme in new[] { "javascript:", "vbscript:", "data:", "livescript:", "mocha:" })
        {
            Assert.False(normalised.StartsWith(scheme, StringComparison.Ordinal), $"{where}: '{value}' uses the {scheme} scheme");
        }
    }

    /// <summary>An Atom feed: well-formed XML, only Atom and tombstone elements, and the HTML inside content inert too.</summary>
    public static List<string> AssertInertAtom(byte[] bytes, string where, string siteOrigin)
    {
        XDocument document;
        try
        {
            using var stream = new MemoryStream(bytes);
            document = XDocument.Load(stream);
        }
        catch (System.Xml.XmlException e)
        {
            throw new Xunit.Sdk.XunitException($"{where}: not well-formed XML: {e.Message}");
        }

        XNamespace atom = "http://www.w3.org/2005/Atom";
        XNamespace tombstones = "http://purl.org/atompub/tombstones/1.0";
        var allowed = new HashSet<XName>
        {
            atom + "feed", atom + "id", atom + "title", atom + "updated", atom + "link", atom + "entry", atom + "published",
            atom + "author", atom + "name", atom + "content", tombstones + "deleted-entry",
        };
        var texts = new List<string>();
        Assert.Empty(document.Nodes().OfType<XProcessingInstruction>());
        foreach (var element in document.Descendants())
        {
            Assert.True(allowed.Contains(element.Name), $"{where}: unexpected element {element.Name}");
            Assert.Empty(element.Nodes().OfType<XProcessingInstruction>());
            foreach (var attribute in element.Attributes().Where(a => !a.IsNamespaceDeclaration))
            {
                Assert.True(attribute.Name.LocalName is "rel" or "href" or "type" or "ref" or "when", $"{where}: unexpected attribute {attribute.Name} on {element.Name}");
                if (attribute.Name.LocalName == "href")
                {
                    AssertSafeUrl(attribute.Value, $"{where}: link href");
                }
            }

            if (!element.HasElements)
            {
                texts.Add(element.Value);
            }

            if (element.Name == atom + "content")
            {
                Assert.Equal("html", element.Attribute("type")?.Value);
                // A feed reader renders this as HTML: it must be as inert as the page.
                texts.AddRange(AssertInertHtml($"<!DOCTYPE html><html><head></head><body>{element.Value}</body></html>", $"{where} (entry content)", siteOrigin));
            }
        }

        return texts;
    }

    public static string Excerpt(string text) => text.Length <= 300 ? text : text[..300] + "…";

    /// <summary>Decodes strictly: a feed or page that is not valid UTF-8 fails here.</summary>
    public static string StrictUtf8(byte[] bytes) => new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
}
