using System.Net;
using System.Net.Http.Json;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LiveHub.Tests.Security;

/// <summary>An app reached over https at a public host name (HSTS is never sent for localhost).</summary>
public class HttpsApp : SqliteApp
{
    public static readonly Uri Origin = new("https://hub.example.org");

    public HttpsApp() => ClientOptions.BaseAddress = Origin;
}

public sealed class ProductionHttpsApp : HttpsApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Hsts:IncludeSubDomains"] = "true" };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }
}

public sealed class DevelopmentHttpsApp : HttpsApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Development");
    }
}

/// <summary>
/// The staff and antiforgery cookies, and the headers every response carries: pages, API, problems, static files.
/// (AccountTests already checks HttpOnly and SameSite on the staff cookie over http.)
/// </summary>
public sealed class CookieAndHeaderTests(HttpsApp app) : IClassFixture<HttpsApp>
{
    private static readonly string[] Urls =
    [
        "/events", "/events/no-such-event", "/api/events", "/api/account/me", "/api/events/no-such-event", "/css/site.css",
        "/staff/", "/staff/login", "/staff/event", "/staff/js/api.js", "/js/live.js", "/favicon.svg", "/calendar.ics", "/healthz",
        "/oembed?url=https%3A%2F%2Fhub.example.org%2Flive%2Fnone", "/staff/recap/none", "/js/live-embed.js", "/live/none/sessions/00000000-0000-0000-0000-000000000000/recap",
    ];

    private static Dictionary<string, string> SetCookies(HttpResponseMessage response) =>
        (response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
        .ToDictionary(c => c[..c.IndexOf('=', StringComparison.Ordinal)], c => c, StringComparer.Ordinal);

    private static void AssertHardened(string cookie, string name)
    {
        var attributes = cookie.Split(';').Skip(1).Select(a => a.Trim().ToLowerInvariant()).ToList();
        Assert.True(attributes.Contains("httponly"), $"{name} is readable by script: {cookie}");
        Assert.True(attributes.Contains("secure"), $"{name} would be sent over plain http: {cookie}");
        // Strict on purpose: the staff pages are only ever reached from the site itself, so no cross-site request needs the cookie.
        Assert.True(attributes.Contains("samesite=strict"), $"{name} is sent on cross-site requests: {cookie}");
        Assert.Contains("path=/", attributes);
    }

    [Fact]
    public async Task Over_https_the_staff_and_antiforgery_cookies_are_httponly_strict_and_secure()
    {
        var user = await app.CreateStaffAsync(StaffRoles.Editor);
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = HttpsApp.Origin, HandleCookies = true });
        var antiforgery = await client.GetAsync("/api/account/antiforgery");
        var csrfCookie = SetCookies(antiforgery);
        Assert.True(csrfCookie.ContainsKey("livehub.csrf"), string.Join(", ", csrfCookie.Keys));
        AssertHardened(csrfCookie["livehub.csrf"], "the antiforgery cookie");

        await client.UseAntiforgeryAsync();
        var login = await client.PostAsJsonAsync("/api/account/login", new { email = user.Email, password = LiveHubApp.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var cookies = SetCookies(login);
        Assert.True(cookies.ContainsKey("livehub.staff"), string.Join(", ", cookies.Keys));
        AssertHardened(cookies["livehub.staff"], "the staff cookie");
        Assert.DoesNotContain("expires=", cookies["livehub.staff"], StringComparison.OrdinalIgnoreCase); // a session cookie unless "remember me"
    }

    [Fact]
    public async Task Every_kind_of_response_carries_the_security_headers()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = HttpsApp.Origin });
        foreach (var url in Urls)
        {
            var response = await client.GetAsync(url);
            Assert.True((int)response.StatusCode < 500, $"{url}: {(int)response.StatusCode}");
            var where = $"{url} ({(int)response.StatusCode})";
            var csp = Header(response, "Content-Security-Policy", where);
            var directives = csp.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .ToDictionary(d => d.Split(' ')[0], d => d.Split(' ').Skip(1).ToList(), StringComparer.OrdinalIgnoreCase);
            var scriptSources = directives.GetValueOrDefault("script-src") ?? directives.GetValueOrDefault("default-src");
            Assert.True(scriptSources is not null, $"{where}: no script-src or default-src in {csp}");
            foreach (var unsafeSource in new[] { "'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:", "blob:" })
            {
                Assert.DoesNotContain(unsafeSource, scriptSources);
            }

            Assert.Equal(["'none'"], directives.GetValueOrDefault("frame-ancestors"));
            Assert.Equal(["'none'"], directives.GetValueOrDefault("object-src"));
            Assert.True(directives.ContainsKey("base-uri"), $"{where}: no base-uri in {csp}");
            Assert.Equal("nosniff", Header(response, "X-Content-Type-Options", where));
            Assert.Equal("DENY", Header(response, "X-Frame-Options", where));
            Assert.Contains(Header(response, "Referrer-Policy", where), new[] { "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin" });
            Assert.StartsWith("max-age=", Header(response, "Strict-Transport-Security", where), StringComparison.Ordinal);
        }
    }

    private static string Header(HttpResponseMessage response, string name, string where)
    {
        Assert.True(response.Headers.TryGetValues(name, out var values), $"{where}: no {name} header");
        return Assert.Single(values);
    }
}

/// <summary>HSTS is sent over https outside Development, for at least a year by default, and never over plain http or in Development.</summary>
public sealed class HstsTests(ProductionHttpsApp production, DevelopmentHttpsApp development)
    : IClassFixture<ProductionHttpsApp>, IClassFixture<DevelopmentHttpsApp>
{
    [Fact]
    public async Task Production_over_https_sends_hsts_and_plain_http_does_not()
    {
        var https = await production.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = HttpsApp.Origin }).GetAsync("/events");
        var hsts = Assert.Single(https.Headers.GetValues("Strict-Transport-Security"));
        var maxAge = long.Parse(hsts.Split(';')[0].Trim()["max-age=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(maxAge >= TimeSpan.FromDays(365).TotalSeconds, $"HSTS max-age is only {TimeSpan.FromSeconds(maxAge).TotalDays} days: {hsts}");
        Assert.Contains("includeSubDomains", hsts, StringComparison.Ordinal); // from Hsts:IncludeSubDomains

        var http = await production.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://hub.example.org") }).GetAsync("/events");
        Assert.False(http.Headers.Contains("Strict-Transport-Security"));
        Assert.True(http.Headers.Contains("Content-Security-Policy"));
    }

    [Fact]
    public async Task Development_never_sends_hsts()
    {
        var response = await development.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = HttpsApp.Origin }).GetAsync("/events");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        Assert.True(response.Headers.Contains("Content-Security-Policy"));
    }
}

/// <summary>Production behind a TLS-terminating proxy, with ASP.NET Core's own forwarded-headers switch on (as the README says).</summary>
public sealed class ProxiedProductionApp : SqliteApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["ForwardedHeaders_Enabled"] = "true" };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }
}

public sealed class BehindAProxyTests(ProxiedProductionApp app) : IClassFixture<ProxiedProductionApp>
{
    [Fact]
    public async Task Behind_a_tls_proxy_the_forwarded_scheme_brings_hsts_and_secure_cookies()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://hub.example.org"), HandleCookies = false });
        using var direct = await client.GetAsync("/api/account/antiforgery");
        Assert.False(direct.Headers.Contains("Strict-Transport-Security"));
        Assert.DoesNotContain(direct.Headers.GetValues("Set-Cookie"), c => c.Contains("secure", StringComparison.OrdinalIgnoreCase));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/account/antiforgery");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        using var proxied = await client.SendAsync(request);
        Assert.True(proxied.Headers.Contains("Strict-Transport-Security"));
        Assert.All(proxied.Headers.GetValues("Set-Cookie"), c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));
    }
}
