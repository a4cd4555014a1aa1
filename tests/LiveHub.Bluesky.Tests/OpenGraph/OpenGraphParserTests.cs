using LiveHub.Bluesky.OpenGraph;

namespace LiveHub.Bluesky.Tests.OpenGraph;

public sealed class OpenGraphParserTests
{
    [Fact]
    public void Open_graph_tags_are_read_in_any_attribute_order_and_decoded()
    {
        const string html = """
            <html><head>
              <title>Fallback title</title>
              <meta content="Keynote &amp; Q&#38;A" property="og:title">
              <meta property='og:description' content='Live from Hall A — slides &quot;here&quot;'/>
              <META PROPERTY="og:image" CONTENT="/img/card.jpg">
            </head></html>
            """;

        var data = OpenGraphParser.Parse(html, new Uri("https://live.example.com/events/conf/sessions/keynote"));

        Assert.Equal("Keynote & Q&A", data.Title);
        Assert.Equal("Live from Hall A — slides \"here\"", data.Description);
        Assert.Equal("https://live.example.com/img/card.jpg", data.ImageUrl);
        Assert.Equal("https://live.example.com/events/conf/sessions/keynote", data.Url);
    }

    [Fact]
    public void Title_and_description_fall_back_to_plain_html()
    {
        const string html = "<head><title>\n  Panel:   the future\n</title><meta name=\"description\" content=\"A panel.\"></head>";

        var data = OpenGraphParser.Parse(html);

        Assert.Equal("Panel: the future", data.Title);
        Assert.Equal("A panel.", data.Description);
        Assert.Null(data.ImageUrl);
    }

    [Fact]
    public void Non_http_images_are_ignored()
    {
        var data = OpenGraphParser.Parse("""<meta property="og:image" content="javascript:alert(1)"><meta property="og:title" content="">""");

        Assert.Null(data.ImageUrl);
        Assert.Null(data.Title);
    }
}
