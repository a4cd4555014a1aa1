using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using LiveHub.Calendar;
using LiveHub.Calendar.Import;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LiveHub.Tests.Security;

/// <summary>
/// A server listening on 127.0.0.1 (the one address the fetcher under test may reach) and on 127.0.0.2 (which it
/// must never reach): a calendar, redirects anywhere, an endless body, a gzip bomb, a trickle and a redirect loop.
/// The second listener makes refusals honest: were the policy to let 127.0.0.2 through, the fetch would succeed.
/// </summary>
public sealed class SsrfTestServer : IAsyncLifetime
{
    public const string Calendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ssrf//Test//EN\r\nBEGIN:VEVENT\r\nUID:ssrf@example.com\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20300101T100000Z\r\nSUMMARY:Reached\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    private WebApplication? _app;

    public int AllowedPort { get; private set; }

    /// <summary>The port of the 127.0.0.2 listener.</summary>
    public int ForbiddenPort { get; private set; }

    public string AllowedBase => $"http://127.0.0.1:{AllowedPort}";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Listen(IPAddress.Parse("127.0.0.2"), 0);
        });
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/calendar.ics", () => Results.Text(Calendar, "text/calendar"));
        _app.MapGet("/to", (string url) => Results.Redirect(url));
        _app.MapGet("/loop", () => Results.Redirect("/loop"));
        _app.MapGet("/endless", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/calendar";
            var chunk = Encoding.ASCII.GetBytes(new string('X', 16 * 1024));
            try
            {
                while (!http.RequestAborted.IsCancellationRequested)
                {
                    await http.Response.Body.WriteAsync(chunk, http.RequestAborted);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // The fetcher hung up, as it should.
            }
        });
        _app.MapGet("/gzip-bomb", (HttpContext http) =>
        {
            http.Response.Headers.ContentEncoding = "gzip";
            return Results.Bytes(GzipOfZeros(20 * 1024 * 1024), "text/calendar");
        });
        _app.MapGet("/declared-huge", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/calendar";
            http.Response.ContentLength = 10L * 1024 * 1024 * 1024;
            try
            {
                await http.Response.Body.WriteAsync("BEGIN:VCALENDAR\r\n"u8.ToArray(), http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                await Task.Delay(TimeSpan.FromSeconds(10), http.RequestAborted);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // Refused on the declared length.
            }

            http.Abort();
        });
        _app.MapGet("/trickle", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/calendar";
            await http.Response.Body.WriteAsync("BEGIN:VCALENDAR\r\n"u8.ToArray(), http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
            try
            {
                for (var i = 0; i < 300; i++)
                {
                    await Task.Delay(100, http.RequestAborted);
                    await http.Response.Body.WriteAsync("X"u8.ToArray(), http.RequestAborted);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // Cut off by the fetcher's time limit.
            }
        });
        await _app.StartAsync();
        var addresses = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Select(a => new Uri(a)).ToList();
        AllowedPort = addresses.Single(a => a.Host == "127.0.0.1").Port;
        ForbiddenPort = addresses.Single(a => a.Host == "127.0.0.2").Port;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private static byte[] GzipOfZeros(int count)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            gzip.Write(new byte[count]);
        }

        return output.ToArray();
    }
}

/// <summary>The app with production fetch rules (no address allowed beyond the public internet), one editor for all cases.</summary>
public sealed class SsrfApp : SqliteApp
{
    private Task<HttpClient>? _editor;

    public Task<HttpClient> EditorAsync() => _editor ??= BearerClientAsync(StaffRoles.Editor);
}

/// <summary>Host names for the DNS tests; anything else does not resolve.</summary>
internal sealed class FixedHostNameResolver : IHostNameResolver
{
    public static readonly Dictionary<string, IPAddress[]> Table = new(StringComparer.OrdinalIgnoreCase)
    {
        ["allowed.example.test"] = [IPAddress.Loopback],
        ["loopback.example.test"] = [IPAddress.Parse("127.0.0.2")],
        ["private.example.test"] = [IPAddress.Parse("10.0.0.1")],
        ["metadata.example.test"] = [IPAddress.Parse("169.254.169.254")],
        ["cgnat.example.test"] = [IPAddress.Parse("100.64.0.1")],
        ["mapped.example.test"] = [IPAddress.Parse("::ffff:127.0.0.2")],
        ["ula.example.test"] = [IPAddress.Parse("fd00::1")],
        ["linklocal6.example.test"] = [IPAddress.Parse("fe80::1")],
        ["unspecified.example.test"] = [IPAddress.Any],
        ["multicast.example.test"] = [IPAddress.Parse("239.1.2.3")],
        // One good answer does not excuse a bad one: the connection could go to either.
        ["mixed.example.test"] = [IPAddress.Loopback, IPAddress.Parse("192.168.1.1")],
    };

    public List<string> Asked { get; } = [];

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        lock (Asked)
        {
            Asked.Add(host);
        }

        return Table.TryGetValue(host, out var addresses)
            ? Task.FromResult(addresses)
            : Task.FromException<IPAddress[]>(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound));
    }
}

/// <summary>
/// The URL import must not become a way into the hub's own network: loopback, private, link-local, CGNAT,
/// unspecified and multicast addresses are refused however they are spelled, whether given directly, reached by
/// a redirect or returned by DNS; bodies stop at the size limit, slow servers at the time limit.
/// </summary>
public sealed class SsrfTests(SsrfTestServer server, SsrfApp app) : IClassFixture<SsrfTestServer>, IClassFixture<SsrfApp>
{
    private const int MaxBytes = 100_000;

    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The first hop may go to 127.0.0.1 (the test server); everything else follows production rules.</summary>
    private static (IcsFetcher Fetcher, FixedHostNameResolver Resolver) Fetcher(bool allowPrivate = false)
    {
        var resolver = new FixedHostNameResolver();
        var options = new CalendarOptions
        {
            Import = new CalendarImportOptions
            {
                AllowAddresses = ["127.0.0.1"],
                AllowHttp = true,
                AllowPrivateAddresses = allowPrivate,
                FetchTimeout = FetchTimeout,
                MaxBytes = MaxBytes,
                MaxRedirects = 3,
            },
        };
        return (new IcsFetcher(Options.Create(options), resolver), resolver);
    }

    private static async Task<IcsFetchException> RefusedAsync(IcsFetcher fetcher, string url)
    {
        var refusedEarly = fetcher.CheckUrl(url, out var uri);
        Assert.Null(refusedEarly);
        return await Assert.ThrowsAsync<IcsFetchException>(() => fetcher.FetchAsync(uri!, CancellationToken.None));
    }

    // Loopback, private, metadata, CGNAT, unspecified, multicast and IPv4-mapped, in odd spellings.
    [Theory]
    [InlineData("https://2130706433/a.ics")]
    [InlineData("https://0177.0.0.1/a.ics")]
    [InlineData("https://0x7f.1/a.ics")]
    [InlineData("https://0x7f000001/a.ics")]
    [InlineData("https://017700000001/a.ics")]
    [InlineData("https://127.1/a.ics")]
    [InlineData("https://127.000.000.001/a.ics")]
    [InlineData("https://[::1]/a.ics")]
    [InlineData("https://[0:0:0:0:0:0:0:1]/a.ics")]
    [InlineData("https://[::ffff:127.0.0.1]/a.ics")]
    [InlineData("https://[::ffff:7f00:1]/a.ics")]
    [InlineData("https://[::127.0.0.1]/a.ics")]
    [InlineData("https://167772161/a.ics")]
    [InlineData("https://0xa.1/a.ics")]
    [InlineData("https://172.16.0.1/a.ics")]
    [InlineData("https://192.168.0.1/a.ics")]
    [InlineData("https://[fc00::1]/a.ics")]
    [InlineData("https://[fe80::1%25eth0]/a.ics")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("https://2852039166/latest/meta-data/")]
    [InlineData("https://0xA9FEA9FE/latest/meta-data/")]
    [InlineData("https://[::ffff:169.254.169.254]/latest/meta-data/")]
    [InlineData("https://[fd00:ec2::254]/latest/meta-data/")]
    [InlineData("https://100.64.0.1/a.ics")]
    [InlineData("https://100.127.255.254/a.ics")]
    [InlineData("https://0.0.0.0/a.ics")]
    [InlineData("https://0/a.ics")]
    [InlineData("https://[::]/a.ics")]
    [InlineData("https://224.0.0.1/a.ics")]
    [InlineData("https://255.255.255.255/a.ics")]
    [InlineData("https://[ff02::1]/a.ics")]
    [InlineData("webcal://0x7f.1/a.ics")]
    public async Task Non_public_addresses_are_refused_through_the_api_however_they_are_spelled(string url)
    {
        var editor = await app.EditorAsync();
        var response = await editor.PostAsJsonAsync("/api/import/preview", new { url });
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "url");
        Assert.Contains("refused", problem.GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://example.org/a.ics")]
    [InlineData("gopher://example.org:70/_GET%20/")]
    [InlineData("dict://example.org:11211/stat")]
    [InlineData("ldap://example.org/")]
    [InlineData("data:text/calendar,BEGIN:VCALENDAR")]
    [InlineData("javascript:alert(1)")]
    [InlineData("//example.org/a.ics")]
    [InlineData("https://user@example.org/a.ics")]
    [InlineData("https://:secret@example.org/a.ics")]
    [InlineData("https://example.org@127.0.0.1/a.ics")]
    public async Task Other_schemes_and_urls_with_credentials_are_refused_before_any_traffic(string url)
    {
        var editor = await app.EditorAsync();
        await (await editor.PostAsJsonAsync("/api/import/preview", new { url })).AssertProblemAsync(HttpStatusCode.BadRequest, "url");
    }

    [Fact]
    public async Task The_forbidden_listener_is_reachable_when_the_policy_allows_it()
    {
        // Control for the redirect tests below: the target exists, so only the policy stands in the way.
        var (fetcher, _) = Fetcher(allowPrivate: true);
        using (fetcher)
        {
            Assert.Null(fetcher.CheckUrl($"{server.AllowedBase}/to?url=http://0x7f.2:{server.ForbiddenPort}/calendar.ics", out var uri));
            Assert.Equal(SsrfTestServer.Calendar, Encoding.UTF8.GetString(await fetcher.FetchAsync(uri!, CancellationToken.None)));
        }
    }

    [Theory]
    [InlineData("http://127.0.0.2:{port}/calendar.ics")]
    [InlineData("http://2130706434:{port}/calendar.ics")]
    [InlineData("http://0177.0.0.2:{port}/calendar.ics")]
    [InlineData("http://0x7f.2:{port}/calendar.ics")]
    [InlineData("http://127.2:{port}/calendar.ics")]
    [InlineData("http://[::ffff:127.0.0.2]:{port}/calendar.ics")]
    [InlineData("http://loopback.example.test:{port}/calendar.ics")]
    [InlineData("http://mapped.example.test:{port}/calendar.ics")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[::1]:{port}/calendar.ics")]
    public async Task A_public_looking_server_redirecting_inwards_is_refused(string target)
    {
        var (fetcher, _) = Fetcher();
        using (fetcher)
        {
            var url = $"{server.AllowedBase}/to?url={Uri.EscapeDataString(target.Replace("{port}", server.ForbiddenPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))}";
            var refused = await RefusedAsync(fetcher, url);
            Assert.Equal(400, refused.StatusCode);
            Assert.Contains("refused", refused.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("gopher://127.0.0.1:70/_x")]
    [InlineData("ftp://127.0.0.1/a.ics")]
    [InlineData("http://user:secret@127.0.0.1:1/a.ics")]
    public async Task Redirects_to_other_schemes_or_with_credentials_are_refused(string target)
    {
        var (fetcher, _) = Fetcher();
        using (fetcher)
        {
            var refused = await RefusedAsync(fetcher, $"{server.AllowedBase}/to?url={Uri.EscapeDataString(target)}");
            Assert.Equal(400, refused.StatusCode);
        }
    }

    [Fact]
    public async Task A_redirect_loop_stops_at_the_redirect_limit()
    {
        var (fetcher, _) = Fetcher();
        using (fetcher)
        {
            var refused = await RefusedAsync(fetcher, $"{server.AllowedBase}/loop");
            Assert.Contains("redirected more than 3 times", refused.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("loopback.example.test")]
    [InlineData("private.example.test")]
    [InlineData("metadata.example.test")]
    [InlineData("cgnat.example.test")]
    [InlineData("mapped.example.test")]
    [InlineData("ula.example.test")]
    [InlineData("linklocal6.example.test")]
    [InlineData("unspecified.example.test")]
    [InlineData("multicast.example.test")]
    [InlineData("mixed.example.test")]
    public async Task A_host_name_resolving_to_a_non_public_address_is_refused(string host)
    {
        var (fetcher, resolver) = Fetcher();
        using (fetcher)
        {
            var refused = await RefusedAsync(fetcher, $"http://{host}:{server.ForbiddenPort}/calendar.ics");
            Assert.Equal(400, refused.StatusCode);
            Assert.Contains("resolves to", refused.Message, StringComparison.Ordinal);
            Assert.Contains(host, resolver.Asked);
        }
    }

    [Fact]
    public async Task The_connection_goes_to_the_checked_dns_answer_and_unknown_hosts_are_a_problem()
    {
        var (fetcher, resolver) = Fetcher();
        using (fetcher)
        {
            // allowed.example.test resolves to 127.0.0.1 only in the fixed table: reaching the server proves the
            // fetcher connected to the answer it checked, not to a second lookup of its own.
            Assert.Null(fetcher.CheckUrl($"http://allowed.example.test:{server.AllowedPort}/calendar.ics", out var uri));
            Assert.Equal(SsrfTestServer.Calendar, Encoding.UTF8.GetString(await fetcher.FetchAsync(uri!, CancellationToken.None)));
            Assert.Contains("allowed.example.test", resolver.Asked);

            var unknown = await RefusedAsync(fetcher, "http://nowhere.example.test/a.ics");
            Assert.Contains("does not resolve", unknown.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/endless")]
    [InlineData("/gzip-bomb")]
    [InlineData("/declared-huge")]
    public async Task Bodies_stop_at_the_size_limit(string path)
    {
        var (fetcher, _) = Fetcher();
        using (fetcher)
        {
            // 413 rather than 504: the fetcher stopped reading at the limit instead of waiting for an end that never comes.
            var refused = await RefusedAsync(fetcher, server.AllowedBase + path);
            Assert.Equal(413, refused.StatusCode);
            Assert.Contains("larger than the limit", refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_server_trickling_bytes_is_cut_off_at_the_time_limit()
    {
        var (fetcher, _) = Fetcher();
        using (fetcher)
        {
            var stopwatch = Stopwatch.StartNew();
            var refused = await RefusedAsync(fetcher, server.AllowedBase + "/trickle");
            Assert.Equal(504, refused.StatusCode);
            // The trickle lasts 30 s: ending in well under half that shows the fetch was cut off, not waited out, with
            // room for a loaded machine (a bound of the limit plus 4 s was a race against the wall clock).
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(15), $"took {stopwatch.Elapsed.TotalSeconds:0.0} s with a {FetchTimeout.TotalSeconds} s limit");
        }
    }
}
