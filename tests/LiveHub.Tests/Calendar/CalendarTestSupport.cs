using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LiveHub.Tests.Calendar;

/// <summary>Settings the calendar tests share: a configured public base URL, and imports allowed from 127.0.0.1 over http.</summary>
internal static class CalendarSettings
{
    public const string PublicBaseUrl = "https://hub.example.org";

    public static readonly IReadOnlyDictionary<string, string?> Values = new Dictionary<string, string?>
    {
        ["LiveHub:PublicBaseUrl"] = PublicBaseUrl,
        ["Calendar:Import:AllowAddresses:0"] = "127.0.0.1",
        ["Calendar:Import:AllowHttp"] = "true",
        ["Calendar:Import:FetchTimeout"] = "00:00:01.500",
    };
}

public sealed class CalendarSqliteApp : SqliteApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => CalendarSettings.Values;
}

public sealed class CalendarPostgresApp : PostgresApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => CalendarSettings.Values;
}

/// <summary>
/// A small web server on 127.0.0.1 that the import fetches from: a calendar, an HTML page, an oversized and a
/// slow response, and redirects (to itself, and to a loopback address the import must refuse).
/// </summary>
public sealed class IcsTestServer : IAsyncLifetime
{
    private WebApplication? _app;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Bodies served at /files/{name}.</summary>
    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/files/{name}", (string name) => Files.TryGetValue(name, out var body)
            ? Results.Bytes(body, "text/calendar; charset=utf-8")
            : Results.NotFound());
        _app.MapGet("/page.html", () => Results.Content("<!doctype html><p>Not a calendar</p>", "text/html"));
        _app.MapGet("/huge.ics", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/calendar";
            var chunk = Encoding.ASCII.GetBytes(new string('X', 64 * 1024));
            for (var i = 0; i < 48; i++)
            {
                await http.Response.Body.WriteAsync(chunk);
            }
        });
        _app.MapGet("/slow.ics", async (CancellationToken cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            return Results.Text("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar");
        });
        _app.MapGet("/redirect/{name}", (string name) => Results.Redirect($"/files/{name}"));
        _app.MapGet("/redirect-loopback", (HttpContext http) => Results.Redirect($"http://127.0.0.2:{http.Connection.LocalPort}/files/any.ics"));
        _app.MapGet("/redirect-metadata", () => Results.Redirect("http://169.254.169.254/latest/meta-data/"));
        await _app.StartAsync();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single().TrimEnd('/');
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

internal static class CalendarTestHelpers
{
    public static string Slug(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..10]}";

    public static object Event(string slug, string startsAt = "2030-06-01T09:00", string endsAt = "2030-06-01T17:00",
        string timeZone = "Europe/London", string[]? tags = null, string status = "scheduled", string? onlineUrl = null, bool published = true) => new
    {
        slug,
        title = $"Event {slug}",
        summary = "A day of talks, panels; and more.",
        startsAt,
        endsAt,
        timeZone,
        venue = new { name = "The Exchange", address = "Centenary Square, Birmingham", latitude = 52.4797, longitude = -1.9082 },
        onlineUrl,
        status,
        tags = tags ?? ["test"],
        isPublished = published,
    };

    public static object Session(string title, string startsAt, string endsAt, string status = "scheduled", string coverage = "upcoming") =>
        new { title, startsAt, endsAt, room = "Room 1", track = "Main", status, coverage };

    public static async Task<JsonElement> CreateEventAsync(HttpClient editor, object body)
    {
        var response = await editor.PostAsJsonAsync("/api/events", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<JsonElement> CreateSessionAsync(HttpClient editor, string slug, object body)
    {
        var response = await editor.PostAsJsonAsync($"/api/events/{slug}/sessions", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Unfolded content lines of a feed (for assertions about properties).</summary>
    public static List<string> Unfold(string text) =>
        [.. text.Replace("\r\n ", "", StringComparison.Ordinal).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>The unfolded lines of the VEVENT with this UID.</summary>
    public static List<string> VEvent(string text, string uid)
    {
        var lines = Unfold(text);
        var start = lines.FindIndex(l => l == $"UID:{uid}");
        Assert.True(start > 0, $"No VEVENT with UID {uid} in:\n{text}");
        var begin = lines.FindLastIndex(start, l => l == "BEGIN:VEVENT");
        var end = lines.FindIndex(start, l => l == "END:VEVENT");
        return lines[begin..(end + 1)];
    }

    public static string Property(IEnumerable<string> lines, string name) =>
        lines.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal) || l.StartsWith(name + ";", StringComparison.Ordinal))
            is { } line ? line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..] : throw new Xunit.Sdk.XunitException($"No {name} in:\n{string.Join('\n', lines)}");
}
