using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static LiveHub.Tests.Calendar.CalendarTestHelpers;

namespace LiveHub.Tests.Calendar;

public abstract class ImportTests(LiveHubApp app, IcsTestServer server)
{
    private static string Calendar(string prefix, string summary = "Spring conference", int sequence = 0) => $"""
        BEGIN:VCALENDAR
        VERSION:2.0
        PRODID:-//Example//Test//EN
        X-WR-TIMEZONE:Europe/Berlin
        BEGIN:VEVENT
        UID:{prefix}-conf@example.com
        DTSTAMP:20300101T000000Z
        SEQUENCE:{sequence}
        DTSTART;TZID=Europe/London:20300709T183000
        DTEND;TZID=Europe/London:20300709T203000
        SUMMARY:{summary}
        DESCRIPTION:Talks\, food\nand drinks.
        LOCATION:Example HQ\, 1 Old Street\, London
        GEO:51.525712;-0.087548
        CATEGORIES:Rust,.NET Core
        ORGANIZER;CN="Example Events, London":mailto:events@example.com
        END:VEVENT
        BEGIN:VEVENT
        UID:{prefix}-webinar@example.com
        DTSTAMP:20300101T000000Z
        DTSTART:20300801T120000Z
        DURATION:PT1H
        SUMMARY:Webinar
        CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO:https://meet.example.com/j/42
        END:VEVENT
        BEGIN:VEVENT
        UID:{prefix}-nowhere@example.com
        DTSTAMP:20300101T000000Z
        DTSTART:20300802T120000Z
        DTEND:20300802T130000Z
        SUMMARY:Somewhere
        END:VEVENT
        BEGIN:VEVENT
        UID:{prefix}-untitled@example.com
        DTSTAMP:20300101T000000Z
        DTSTART:20300803T120000Z
        LOCATION:Room 1
        END:VEVENT
        BEGIN:VEVENT
        UID:{prefix}-series@example.com
        DTSTAMP:20300101T000000Z
        DTSTART;TZID=Europe/London:{DateTime.UtcNow.AddDays(3):yyyyMMdd}T190000
        DTEND;TZID=Europe/London:{DateTime.UtcNow.AddDays(3):yyyyMMdd}T210000
        RRULE:FREQ=WEEKLY;COUNT=3
        SUMMARY:Pub quiz
        LOCATION:The Crown
        END:VEVENT
        END:VCALENDAR
        """.ReplaceLineEndings("\r\n");

    private static object Upload(string ics, string fileName = "events.ics", string? expectedSha256 = null) =>
        new { fileName, content = Convert.ToBase64String(Encoding.UTF8.GetBytes(ics)), expectedSha256 };

    private static Dictionary<string, JsonElement> ByUid(JsonElement response) =>
        response.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("uid").GetString()!);

    private async Task<JsonElement> PostAsync(HttpClient client, string url, object body)
    {
        var response = await client.PostAsJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task Preview_lists_creates_and_skips_with_reasons_and_changes_nothing()
    {
        var editor = await app.CookieClientAsync(StaffRoles.Editor);
        var prefix = Slug("preview");
        var preview = await PostAsync(editor, "/api/import/preview", Upload(Calendar(prefix)));
        Assert.False(preview.GetProperty("applied").GetBoolean());
        var items = ByUid(preview);
        Assert.Equal("create", items[$"{prefix}-conf@example.com"].GetProperty("action").GetString());
        Assert.Equal("create", items[$"{prefix}-webinar@example.com"].GetProperty("action").GetString());
        Assert.Equal("skip", items[$"{prefix}-nowhere@example.com"].GetProperty("action").GetString());
        Assert.Contains("LOCATION", items[$"{prefix}-nowhere@example.com"].GetProperty("reasons")[0].GetString());
        Assert.Equal("skip", items[$"{prefix}-untitled@example.com"].GetProperty("action").GetString());
        Assert.Contains("SUMMARY", items[$"{prefix}-untitled@example.com"].GetProperty("reasons")[0].GetString());
        // A recurring series is one event, not one per date.
        Assert.DoesNotContain(items.Keys, k => k.StartsWith($"{prefix}-series@example.com#", StringComparison.Ordinal));
        Assert.Equal("create", items[$"{prefix}-series@example.com"].GetProperty("action").GetString());
        Assert.Contains("recurring series", items[$"{prefix}-series@example.com"].GetProperty("reasons")[0].GetString());
        Assert.Equal(3, preview.GetProperty("created").GetInt32());
        Assert.Equal(2, preview.GetProperty("skipped").GetInt32());
        Assert.Equal(new DateTimeOffset(2030, 7, 9, 17, 30, 0, TimeSpan.Zero), items[$"{prefix}-conf@example.com"].GetProperty("startsAt").GetDateTimeOffset());

        await app.WithDbAsync(async db => Assert.False(await db.Events.IgnoreQueryFilters().AnyAsync(e => e.SourceUid!.StartsWith(prefix))));
    }

    [Fact]
    public async Task Confirm_imports_and_reimporting_the_same_file_changes_nothing()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var prefix = Slug("confirm");
        var ics = Calendar(prefix);
        var preview = await PostAsync(editor, "/api/import/preview", Upload(ics));
        var imported = await PostAsync(editor, "/api/import/confirm", Upload(ics, expectedSha256: preview.GetProperty("sha256").GetString()));
        Assert.True(imported.GetProperty("applied").GetBoolean());
        Assert.Equal(3, imported.GetProperty("created").GetInt32());

        var slug = ByUid(imported)[$"{prefix}-conf@example.com"].GetProperty("slug").GetString()!;
        var detail = await editor.GetFromJsonAsync<JsonElement>($"/api/events/{slug}");
        Assert.Equal("Spring conference", detail.GetProperty("title").GetString());
        Assert.Equal("Europe/London", detail.GetProperty("when").GetProperty("timeZone").GetString());
        Assert.Equal(new DateTimeOffset(2030, 7, 9, 17, 30, 0, TimeSpan.Zero), detail.GetProperty("when").GetProperty("startsAt").GetDateTimeOffset());
        Assert.Equal("Example HQ", detail.GetProperty("venue").GetProperty("name").GetString());
        Assert.Equal("1 Old Street, London", detail.GetProperty("venue").GetProperty("address").GetString());
        Assert.Equal(51.525712, detail.GetProperty("venue").GetProperty("latitude").GetDouble());
        Assert.Equal(["rust", "net-core"], detail.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("Example Events, London", detail.GetProperty("organiser").GetString());
        Assert.Equal("Talks, food\nand drinks.", detail.GetProperty("description").GetString());
        Assert.False(detail.GetProperty("isPublished").GetBoolean());
        var webinarSlug = ByUid(imported)[$"{prefix}-webinar@example.com"].GetProperty("slug").GetString()!;
        var webinar = await editor.GetFromJsonAsync<JsonElement>($"/api/events/{webinarSlug}");
        Assert.Equal("https://meet.example.com/j/42", webinar.GetProperty("onlineUrl").GetString());
        Assert.Equal("Europe/Berlin", webinar.GetProperty("when").GetProperty("timeZone").GetString());
        Assert.Equal(new DateTimeOffset(2030, 8, 1, 13, 0, 0, TimeSpan.Zero), webinar.GetProperty("when").GetProperty("endsAt").GetDateTimeOffset());

        var revisions = await Revisions(prefix);
        var again = await PostAsync(editor, "/api/import/confirm", Upload(ics));
        Assert.Equal(0, again.GetProperty("created").GetInt32());
        Assert.Equal(0, again.GetProperty("updated").GetInt32());
        Assert.Contains(again.GetProperty("items").EnumerateArray(), i => i.GetProperty("reasons")[0].GetString() == "unchanged since the last import.");
        Assert.Equal(revisions, await Revisions(prefix));

        // A changed SUMMARY updates the same event (matched by UID) and bumps its revision, nothing else.
        var changed = await PostAsync(editor, "/api/import/confirm", Upload(Calendar(prefix, "Spring conference 2030", sequence: 1)));
        Assert.Equal(0, changed.GetProperty("created").GetInt32());
        Assert.Equal(1, changed.GetProperty("updated").GetInt32());
        Assert.Equal("changes: title.", ByUid(changed)[$"{prefix}-conf@example.com"].GetProperty("reasons")[0].GetString());
        var after = await Revisions(prefix);
        Assert.Equal(revisions[$"{prefix}-conf@example.com"] + 1, after[$"{prefix}-conf@example.com"]);
        Assert.Equal(revisions.Where(r => !r.Key.EndsWith("-conf@example.com", StringComparison.Ordinal)), after.Where(r => !r.Key.EndsWith("-conf@example.com", StringComparison.Ordinal)));
        Assert.Equal(slug, ByUid(changed)[$"{prefix}-conf@example.com"].GetProperty("slug").GetString());

        // An imported event that staff deleted is not brought back.
        Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"/api/events/{slug}")).StatusCode);
        var afterDelete = await PostAsync(editor, "/api/import/preview", Upload(ics));
        Assert.Equal("skip", ByUid(afterDelete)[$"{prefix}-conf@example.com"].GetProperty("action").GetString());
    }

    [Fact]
    public async Task A_changed_source_after_preview_is_refused()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var prefix = Slug("sha");
        var preview = await PostAsync(editor, "/api/import/preview", Upload(Calendar(prefix)));
        var response = await editor.PostAsJsonAsync("/api/import/confirm", Upload(Calendar(prefix, "Other"), expectedSha256: preview.GetProperty("sha256").GetString()));
        await response.AssertProblemAsync(HttpStatusCode.Conflict, "content");
    }

    [Fact]
    public async Task LiveHubs_own_feed_is_recognised_and_not_duplicated()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("own");
        await CreateEventAsync(editor, Event(slug));
        var feed = await app.AnonymousClient().GetStringAsync($"/events/{slug}.ics");
        var preview = await PostAsync(editor, "/api/import/preview", Upload(feed));
        Assert.Equal(0, preview.GetProperty("created").GetInt32());
        Assert.Contains("LiveHub's own", preview.GetProperty("items")[0].GetProperty("reasons")[0].GetString());
    }

    [Theory]
    [InlineData("not a calendar at all", "content", HttpStatusCode.UnprocessableEntity)]
    [InlineData("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:bad\r\n", "content", HttpStatusCode.OK)]
    public async Task Malformed_files_are_problems_with_the_line_or_tolerated_with_warnings(string ics, string field, HttpStatusCode status)
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var response = await editor.PostAsJsonAsync("/api/import/preview", Upload(ics));
        if (status == HttpStatusCode.OK)
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotEmpty(body.GetProperty("warnings").EnumerateArray());
            return;
        }

        var problem = await response.AssertProblemAsync(status, field);
        Assert.Equal(1, problem.GetProperty("line").GetInt32());
        Assert.Contains("line 1", problem.GetProperty("errors").GetProperty(field)[0].GetString());
    }

    [Fact]
    public async Task Bad_requests_are_problems_naming_the_field()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        await (await editor.PostAsJsonAsync("/api/import/preview", new { })).AssertProblemAsync(HttpStatusCode.BadRequest, "content");
        await (await editor.PostAsJsonAsync("/api/import/preview", new { url = "https://example.org/a.ics", content = "QQ==" })).AssertProblemAsync(HttpStatusCode.BadRequest, "url");
        await (await editor.PostAsJsonAsync("/api/import/preview", Upload(Calendar("x"), "photo.png"))).AssertProblemAsync(HttpStatusCode.BadRequest, "fileName");
        await (await editor.PostAsJsonAsync("/api/import/preview", new { fileName = "a.ics", content = "%%%not base64%%%" })).AssertProblemAsync(HttpStatusCode.BadRequest, "content");
        var tooLarge = new { fileName = "big.ics", content = Convert.ToBase64String(new byte[(2 * 1024 * 1024) + 10]) };
        await (await editor.PostAsJsonAsync("/api/import/preview", tooLarge)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "content");
        await (await editor.PostAsJsonAsync("/api/import/preview", new { url = "ftp://example.org/a.ics" })).AssertProblemAsync(HttpStatusCode.BadRequest, "url");
    }

    [Fact]
    public async Task Url_imports_follow_redirects_and_enforce_type_size_and_time()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var prefix = Slug("url");
        server.Files[$"{prefix}.ics"] = Encoding.UTF8.GetBytes(Calendar(prefix));
        var preview = await PostAsync(editor, "/api/import/preview", new { url = $"{server.BaseUrl}/redirect/{prefix}.ics" });
        Assert.Equal(3, preview.GetProperty("created").GetInt32());
        Assert.Equal($"{server.BaseUrl}/redirect/{prefix}.ics", preview.GetProperty("source").GetString());

        await (await editor.PostAsJsonAsync("/api/import/preview", new { url = $"{server.BaseUrl}/page.html" })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "url");
        await (await editor.PostAsJsonAsync("/api/import/preview", new { url = $"{server.BaseUrl}/huge.ics" })).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "url");
        await (await editor.PostAsJsonAsync("/api/import/preview", new { url = $"{server.BaseUrl}/files/missing.ics" })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "url");
        await (await editor.PostAsJsonAsync("/api/import/preview", new { url = $"{server.BaseUrl}/slow.ics" })).AssertProblemAsync(HttpStatusCode.GatewayTimeout, "url");
    }

    [Theory]
    [InlineData("/redirect-loopback")]
    [InlineData("/redirect-metadata")]
    public async Task Redirects_to_private_addresses_are_refused(string path)
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var problem = await (await editor.PostAsJsonAsync("/api/import/preview", new { url = server.BaseUrl + path })).AssertProblemAsync(HttpStatusCode.BadRequest, "url");
        Assert.Contains("refused", problem.GetProperty("errors").GetProperty("url")[0].GetString());
    }

    [Theory]
    [InlineData("https://127.0.0.2/a.ics")]
    [InlineData("https://10.1.2.3/a.ics")]
    [InlineData("https://172.16.0.1/a.ics")]
    [InlineData("https://192.168.1.1/a.ics")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("https://100.64.0.1/a.ics")]
    [InlineData("https://0.0.0.0/a.ics")]
    [InlineData("https://[::1]/a.ics")]
    [InlineData("https://[fd00::1]/a.ics")]
    [InlineData("https://[fe80::1]/a.ics")]
    [InlineData("https://[::ffff:10.0.0.1]/a.ics")]
    [InlineData("webcal://[::ffff:127.0.0.2]/a.ics")]
    public async Task Private_loopback_and_link_local_addresses_are_refused(string url)
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var problem = await (await editor.PostAsJsonAsync("/api/import/preview", new { url })).AssertProblemAsync(HttpStatusCode.BadRequest, "url");
        Assert.Contains("refused", problem.GetProperty("errors").GetProperty("url")[0].GetString());
    }

    [Fact]
    public async Task A_preview_reads_the_taken_slugs_in_one_query_however_many_events_it_holds()
    {
        var prefix = Slug("batch");
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        // Slugs a new "<prefix> seminar" would collide with: the base and its second form.
        foreach (var taken in new[] { $"{prefix}-seminar", $"{prefix}-seminar-2" })
        {
            (await editor.PostAsJsonAsync("/api/events", Event(taken))).EnsureSuccessStatusCode();
        }

        var small = await CountPreviewCommandsAsync(ManyEvents(prefix + "-a", 10));
        var (large, items) = await CountPreviewCommandsAsync(ManyEvents(prefix + "-b", 200));

        Assert.Equal(200, items.Count(i => i.Action == "create"));
        Assert.Equal(small.Commands, large);
        // Three events share one title: they take the numbered forms after those in use, in file order.
        Assert.Equal([$"{prefix}-seminar-3", $"{prefix}-seminar-4", $"{prefix}-seminar-5"],
            items.Where(i => i.Title == $"{prefix} seminar").Select(i => i.Slug));
        Assert.Equal(items.Count, items.Select(i => i.Slug).Distinct().Count());

        string ManyEvents(string uidPrefix, int count)
        {
            var ics = new StringBuilder("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Test//EN\r\n");
            for (var i = 0; i < count; i++)
            {
                var title = i < 3 ? $"{prefix} seminar" : $"{prefix} talk {i}";
                ics.Append(CultureInfo.InvariantCulture, $"BEGIN:VEVENT\r\nUID:{uidPrefix}-{i}@example.com\r\nDTSTAMP:20300101T000000Z\r\n")
                    .Append(CultureInfo.InvariantCulture, $"DTSTART:20300801T{i % 10:00}0000Z\r\nDURATION:PT1H\r\nSUMMARY:{title}\r\nLOCATION:Room {i}\r\nEND:VEVENT\r\n");
            }

            return ics.Append("END:VCALENDAR\r\n").ToString();
        }
    }

    private async Task<(int Commands, IReadOnlyList<LiveHub.Calendar.Import.ImportItem> Items)> CountPreviewCommandsAsync(string ics)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LiveHub.Data.LiveHubDbContext>();
        var importer = scope.ServiceProvider.GetRequiredService<LiveHub.Calendar.Import.IcsImporter>();
        using var counter = new SqlCommandCounter(db);
        var result = await importer.RunAsync(Encoding.UTF8.GetBytes(ics), "test.ics", publish: false, apply: false, CancellationToken.None);
        return (counter.Count, result.Items);
    }

    private async Task<Dictionary<string, int>> Revisions(string prefix)
    {
        var result = new Dictionary<string, int>();
        await app.WithDbAsync(async db =>
        {
            foreach (var e in await db.Events.IgnoreQueryFilters().Where(e => e.SourceUid!.StartsWith(prefix)).ToListAsync())
            {
                result[e.SourceUid!] = e.Revision;
            }
        });
        return result;
    }
}

public sealed class ImportOnSqlite(CalendarSqliteApp app, IcsTestServer server)
    : ImportTests(app, server), IClassFixture<CalendarSqliteApp>, IClassFixture<IcsTestServer>;

public sealed class ImportOnPostgres(CalendarPostgresApp app, IcsTestServer server)
    : ImportTests(app, server), IClassFixture<CalendarPostgresApp>, IClassFixture<IcsTestServer>;
