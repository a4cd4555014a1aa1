using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHub.Tests.Staff;

/// <summary>
/// The staff console's pages, rendered by the server on one shell (Staff/Pages): one head and navigation, the reader's
/// language, the script strings, the elements their scripts use, and the old /staff/*.html addresses redirecting.
/// </summary>
public sealed partial class StaffPagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static readonly HtmlParser Parser = new();

    /// <summary>Each page, the script it loads, and where it was a static file.</summary>
    public static TheoryData<string, string, string> Pages => new()
    {
        { "/staff/", "/staff/js/events.js", "/staff/index.html" },
        { "/staff/event", "/staff/js/event.js", "/staff/event.html" },
        { "/staff/speakers", "/staff/js/speakers.js", "/staff/speakers.html" },
        { "/staff/venues", "/staff/js/venues.js", "/staff/venues.html" },
        { "/staff/import", "/staff/js/import.js", "/staff/import.html" },
        { "/staff/status", "/staff/js/status.js", "/staff/status.html" },
        { "/staff/questions", "/staff/js/questions.js", "/staff/questions.html" },
        { "/staff/accounts", "/staff/js/accounts.js", "/staff/accounts.html" },
        { "/staff/settings", "/staff/js/crosspost-settings.js", "/staff/settings.html" },
        { "/staff/jobs", "/staff/js/crosspost-jobs.js", "/staff/jobs.html" },
        { "/staff/login", "/staff/js/login.js", "/staff/login.html" },
        { "/staff/live/some-event", "/staff/js/live-console.js", "/staff/live.html" },
        { "/staff/recap/some-event", "/staff/js/recap.js", "/staff/recap.html" },
    };

    private async Task<(HttpResponseMessage Response, IHtmlDocument Page)> GetAsync(string path, string? acceptLanguage = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptLanguage is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        var response = await app.AnonymousClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response, await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync()));
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Each_page_has_the_one_shell_its_script_and_the_elements_the_script_uses(string path, string script, string _)
    {
        var (response, page) = await GetAsync(path);

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("en-GB", page.DocumentElement.GetAttribute("lang"));
        Assert.EndsWith(" · LiveHub staff", page.Title, StringComparison.Ordinal);
        Assert.Equal("noindex", page.QuerySelector("meta[name=robots]")?.GetAttribute("content"));
        Assert.Single(page.QuerySelectorAll("header.site-header"));
        Assert.Single(page.QuerySelectorAll("main#main"));
        Assert.NotNull(page.QuerySelector("#language-switch"));
        Assert.Equal(script, Assert.Single(page.QuerySelectorAll("script[type=module]")).GetAttribute("src"));
        Assert.DoesNotContain(page.QuerySelectorAll("script:not([src])"), s => s.Id != "livehub-strings"); // the CSP allows no inline script

        // As the static files were: framing refused, the policy without inline script; now also never reused from a cache.
        Assert.Contains("script-src 'self';", string.Join(";", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal("DENY", string.Join(",", response.Headers.GetValues("X-Frame-Options")));
        Assert.True(response.Headers.CacheControl?.NoCache, "Cache-Control: no-cache");

        // Every element the page's script (and the shared api.js) looks up by a fixed id is on the page.
        var root = Path.Combine(Localisation.HardCodedEnglishTests.RepositoryRoot(), "wwwroot");
        var source = await File.ReadAllTextAsync(Path.Combine(root, script.TrimStart('/')));
        var ids = IdLookup().Matches(source).Select(m => m.Groups["id"].Value).Distinct().ToList();
        Assert.NotEmpty(ids);
        var missing = ids.Where(id => page.GetElementById(id) is null).ToList();
        Assert.True(missing.Count == 0, $"{path} lacks elements {script} uses: {string.Join(", ", missing)}");
    }

    [Fact]
    public async Task The_navigation_marks_the_current_page_and_hides_admin_links_until_the_script_shows_them()
    {
        var (_, page) = await GetAsync("/staff/venues");

        var nav = page.QuerySelector("header nav[aria-label=Staff]")!;
        Assert.Equal("/staff/venues", Assert.Single(nav.QuerySelectorAll("a[aria-current=page]")).GetAttribute("href"));
        var adminOnly = nav.QuerySelectorAll("a[data-admin-only]").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(new string?[] { "/staff/accounts", "/staff/settings", "/staff/jobs", "/staff/hangfire" }, adminOnly);
        Assert.All(nav.QuerySelectorAll("a[data-admin-only]"), a => Assert.True(a.HasAttribute("hidden")));
        Assert.NotNull(nav.QuerySelector("#staff-user[hidden]"));
        Assert.NotNull(nav.QuerySelector("button#sign-out[hidden]"));

        // Nobody is signed in on the sign-in page: it links to the public site only.
        var (_, signIn) = await GetAsync("/staff/login");
        Assert.Null(signIn.QuerySelector("#sign-out"));
        Assert.Equal(new string?[] { "/events" }, signIn.QuerySelectorAll("header nav:not(.language-switch) a").Select(a => a.GetAttribute("href")).ToArray());
    }

    [Fact]
    public async Task In_welsh_the_pages_and_their_script_strings_are_welsh()
    {
        var (response, page) = await GetAsync("/staff/?culture=cy");

        Assert.Equal("cy", page.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Digwyddiadau · Staff LiveHub", page.Title);
        Assert.Equal("Digwyddiadau", page.QuerySelector("main h1")!.TextContent);
        var nav = page.QuerySelectorAll("header nav[aria-label=Staff] a").Select(a => a.TextContent).ToList();
        Assert.Contains("Siaradwyr", nav);
        Assert.Contains("Cyfrifon staff", nav);
        Assert.Contains("Safle cyhoeddus", nav);
        Assert.Equal("Allgofnodi", page.GetElementById("sign-out")!.TextContent);
        Assert.Equal("English", page.GetElementById("language-switch")!.TextContent);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Culture=", StringComparison.Ordinal));

        var strings = JsonSerializer.Deserialize<Dictionary<string, string>>(page.GetElementById("livehub-strings")!.TextContent)!;
        Assert.Equal("Wrthi’n llwytho…", strings["staffLoading"]);
        Assert.Equal("Yn fyw nawr", strings["stateLive"]); // the console shows posts with the public scripts

        // Accept-Language chooses too, and the sign-in form's labels follow.
        var (_, signIn) = await GetAsync("/staff/login", "cy-GB,cy;q=0.9");
        Assert.Equal("Cyfeiriad e-bost", signIn.QuerySelector("label[for=email]")!.TextContent);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task The_old_address_redirects_permanently_and_keeps_the_query(string path, string _, string oldPath)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync(oldPath + "?slug=spring-conference&returnUrl=%2Fstaff%2Fjobs");

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        // The console and the recap editor need an event in their address: their old files go to the events list.
        var expected = path.StartsWith("/staff/live/", StringComparison.Ordinal) || path.StartsWith("/staff/recap/", StringComparison.Ordinal) ? "/staff/" : path;
        Assert.Equal(expected + "?slug=spring-conference&returnUrl=%2Fstaff%2Fjobs", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task The_staff_cookies_sign_in_path_is_the_sign_in_page()
    {
        var cookie = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>>()
            .Get(Microsoft.AspNetCore.Identity.IdentityConstants.ApplicationScheme);
        Assert.Equal("/staff/login", cookie.LoginPath.Value);

        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        // The old static page lived at /staff/login/ (bookmarked with its trailing slash).
        foreach (var path in new[] { "/staff/login?returnUrl=%2Fstaff%2Fjobs", "/staff/login/" })
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            Assert.Contains("id=\"login-form\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [GeneratedRegex("""getElementById\("(?<id>[a-z][a-z0-9-]*)"\)""")]
    private static partial Regex IdLookup();
}
