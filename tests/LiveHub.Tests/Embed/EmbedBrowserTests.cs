using System.Net;
using LiveHub.Tests.Browser;
using LiveHub.Tests.Infrastructure;
using LiveHub.Tests.Live;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Embed;

/// <summary>
/// A blog on another origin (its own Kestrel on 127.0.0.2, the hub is on 127.0.0.1) frames the widget: new updates
/// arrive in the frame over SignalR, the frame tells the host its height, and the full live page refuses to be framed.
/// </summary>
public sealed class EmbedBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private WebApplication? _host;
    private string _hostPage = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(new IPAddress([127, 0, 0, 2]), 0));
        _host = builder.Build();
        // The blog's page: whatever it is asked to frame, plus a listener for the widget's height messages.
        _host.MapGet("/post", (string frame, string? other) => Results.Content($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>A blog post</title></head>
            <body>
              <h1>Our blog</h1>
              <iframe id="widget" src="{{WebUtility.HtmlEncode(frame)}}" style="width:100%;border:0" height="400"></iframe>
              {{(other is null ? "" : $"<iframe id=\"forbidden\" src=\"{WebUtility.HtmlEncode(other)}\" height=\"200\"></iframe>")}}
              <script>
                window.heights = [];
                addEventListener("message", (e) => { if (e.data && e.data.type === "livehub:embed-height") window.heights.push(e.data.height); });
              </script>
            </body></html>
            """, "text/html; charset=utf-8"));
        _host.MapGet("/favicon.ico", () => Results.NoContent());
        await _host.StartAsync();
        _hostPage = _host.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single() + "/post";
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_page_on_another_origin_frames_the_widget_and_sees_a_new_update_arrive()
    {
        var live = await LiveTestSupport.LiveSessionAsync(browser.App);
        await live.PostAsync("Already posted before the blog loaded");
        var widget = $"{browser.BaseUrl}/embed/live/{live.Slug}/sessions/{live.SessionId}?theme=dark";
        var forbidden = $"{browser.BaseUrl}/live/{live.Slug}";
        await using var tab = await browser.NewPageAsync(width: 360, height: 800);
        var page = tab.Page;
        await page.GotoAsync($"{_hostPage}?frame={Uri.EscapeDataString(widget)}&other={Uri.EscapeDataString(forbidden)}");
        Assert.NotEqual(new Uri(page.Url).GetLeftPart(UriPartial.Authority), browser.BaseUrl);

        var frame = page.FrameLocator("#widget");
        await Expect(frame.Locator("#embed")).ToHaveAttributeAsync("data-connection", "live");
        await Expect(frame.Locator("#embed-feed > article.live-post").First).ToContainTextAsync("Already posted before the blog loaded");

        await live.PostAsync("A new update for the blog's readers");
        await Expect(frame.Locator("#embed-feed > article.live-post").First).ToContainTextAsync("A new update for the blog's readers");
        await Expect(frame.Locator("#embed-feed > article.live-post")).ToHaveCountAsync(3);

        // Dark theme, the host's width (a 360 px phone: no sideways scrolling), a link back that opens a new tab.
        Assert.Equal("rgb(17, 20, 24)", await frame.Locator("body").EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor"));
        Assert.True(await frame.Locator("body").EvaluateAsync<bool>("b => b.ownerDocument.documentElement.scrollWidth <= b.ownerDocument.documentElement.clientWidth"),
            "The widget is wider than the host's frame.");
        await Expect(frame.Locator("#embed-full-link")).ToHaveAttributeAsync("target", "_blank");
        await Expect(frame.Locator("#embed-full-link")).ToHaveAttributeAsync("href", $"{browser.BaseUrl}/live/{live.Slug}/sessions/{live.SessionId}");
        await page.WaitForFunctionAsync("() => window.heights.length > 0 && window.heights.at(-1) > 100");

        // The full live page is not frameable: Chromium refuses it and says why.
        await Eventually.TrueAsync(() => tab.Errors.Any(e => e.Contains("frame-ancestors", StringComparison.Ordinal)), "Chromium refuses to frame the live page");
        Assert.Equal(0, await page.FrameLocator("#forbidden").Locator("#live").CountAsync());
        Assert.All(tab.Errors, e => Assert.Contains("frame-ancestors 'none'", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_light_theme_is_light_even_for_a_reader_who_prefers_dark()
    {
        var live = await LiveTestSupport.LiveSessionAsync(browser.App);
        await using var tab = await browser.NewPageAsync();
        await tab.Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        var widget = $"{browser.BaseUrl}/embed/live/{live.Slug}?theme=light";
        await tab.Page.GotoAsync($"{_hostPage}?frame={Uri.EscapeDataString(widget)}");
        var frame = tab.Page.FrameLocator("#widget");
        await Expect(frame.Locator("#embed")).ToHaveAttributeAsync("data-connection", "live");
        Assert.Equal("rgb(246, 247, 249)", await frame.Locator("body").EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor"));

        await tab.Page.GotoAsync($"{_hostPage}?frame={Uri.EscapeDataString($"{browser.BaseUrl}/embed/live/{live.Slug}")}");
        await Expect(tab.Page.FrameLocator("#widget").Locator("#embed")).ToHaveAttributeAsync("data-connection", "live");
        Assert.Equal("rgb(17, 20, 24)", await tab.Page.FrameLocator("#widget").Locator("body").EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor"));
        tab.AssertNoErrors();
    }
}
