using System.Net;
using AngleSharp.Html.Parser;
using LiveHub.Tests.Infrastructure;

namespace LiveHub.Tests.Pages;

public sealed class NotFoundPagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private const string BrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    private static readonly HtmlParser Parser = new();

    [Theory]
    [InlineData("/no-such-page")]
    [InlineData("/a/deep/path/that/does/not/exist")]
    [InlineData("/events/some-event/and/more")]
    [InlineData("/staff/no-such-page")]
    [InlineData("/staff/old-page.html")]
    [InlineData("/downloads/report.pdf")]
    public async Task A_browser_asking_for_an_unknown_page_gets_the_sites_404_page(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", BrowserAccept);
        var response = await app.AnonymousClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var document = await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync());
        Assert.Equal("Not found", document.QuerySelector("main h1")?.TextContent);
        Assert.NotNull(document.QuerySelector("link[rel=stylesheet][href='/css/site.css']"));
        Assert.NotNull(document.QuerySelector("main a[href='/events']"));
        Assert.True(response.Headers.Contains("Content-Security-Policy"));
    }

    [Theory]
    [InlineData("/api/no-such-thing", BrowserAccept)]
    [InlineData("/api/events/x/y/z", "application/json")]
    [InlineData("/hubs/no-such-hub", BrowserAccept)]
    [InlineData("/no-such-page", "application/json")]
    [InlineData("/no-such-page", "application/json, text/html;q=0.5")]
    [InlineData("/staff/no-such-page", "*/*")]
    [InlineData("/css/missing.css", "text/css,*/*;q=0.1")]
    [InlineData("/images/missing.png", "image/avif,image/webp,*/*")]
    [InlineData("/no-such-page", null)]
    public async Task Api_clients_scripts_and_assets_keep_problem_details(string path, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        var response = await app.AnonymousClient().SendAsync(request);
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
