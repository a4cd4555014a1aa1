using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;

namespace LiveHub.Tests.Events;

public abstract class EventsApiTests(LiveHubApp app)
{
    public static object ValidEvent(string slug, string startsAt = "2030-06-01T09:00", string endsAt = "2030-06-01T17:00", string[]? tags = null, bool published = true) => new
    {
        slug,
        title = $"Event {slug}",
        summary = "A day of talks.",
        startsAt,
        endsAt,
        timeZone = "Europe/London",
        venue = new { name = "The Exchange", address = "Centenary Square, Birmingham", latitude = 52.4797, longitude = -1.9082 },
        tags = tags ?? ["test"],
        isPublished = published,
    };

    private static string Slug(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..12]}";

    [Fact]
    public async Task Editor_creates_an_event_and_the_public_reads_it_in_venue_time()
    {
        var editor = await app.CookieClientAsync(StaffRoles.Editor);
        var slug = Slug("create");
        // 09:00 in London on 1 June is 08:00 UTC (British Summer Time).
        var created = await editor.PostAsJsonAsync("/api/events", ValidEvent(slug));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/events/{slug}", created.Headers.Location?.OriginalString);

        var detail = await app.AnonymousClient().GetFromJsonAsync<JsonElement>($"/api/events/{slug}");
        var when = detail.GetProperty("when");
        Assert.Equal(new DateTimeOffset(2030, 6, 1, 8, 0, 0, TimeSpan.Zero), when.GetProperty("startsAt").GetDateTimeOffset());
        Assert.Equal("2030-06-01T09:00:00+01:00", when.GetProperty("startsAtLocal").GetString());
        Assert.Equal("Europe/London", when.GetProperty("timeZone").GetString());
        Assert.Equal(0, detail.GetProperty("revision").GetInt32());
        Assert.Equal("scheduled", detail.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Times_with_an_offset_are_instants()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("instant");
        var created = await editor.PostAsJsonAsync("/api/events", ValidEvent(slug, "2030-01-10T09:00:00Z", "2030-01-10T10:30:00-05:00"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var detail = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(new DateTimeOffset(2030, 1, 10, 15, 30, 0, TimeSpan.Zero), detail.GetProperty("when").GetProperty("endsAt").GetDateTimeOffset());
    }

    [Theory]
    // Clocks go forward at 01:00 on 31 March 2030: 01:30 does not exist and takes the offset before the gap (GMT).
    [InlineData("2030-03-31T01:30", "2030-03-31T01:30:00Z")]
    // Clocks go back at 02:00 on 27 October 2030: 01:30 happens twice and means the first (BST).
    [InlineData("2030-10-27T01:30", "2030-10-27T00:30:00Z")]
    public async Task Venue_times_at_clock_changes_follow_the_calendar_rules(string local, string expectedUtc)
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var created = await editor.PostAsJsonAsync("/api/events", ValidEvent(Slug("dst"), local, local[..11] + "05:00"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var when = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("when");
        Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), when.GetProperty("startsAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Revision_bumps_on_a_material_change_and_not_on_a_no_op()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("revision");
        (await editor.PostAsJsonAsync("/api/events", ValidEvent(slug))).EnsureSuccessStatusCode();

        var same = await editor.PutAsJsonAsync($"/api/events/{slug}", ValidEvent(slug));
        Assert.Equal(0, (await same.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revision").GetInt32());

        var moved = await editor.PutAsJsonAsync($"/api/events/{slug}", ValidEvent(slug, "2030-06-02T09:00", "2030-06-02T17:00"));
        var body = await moved.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, body.GetProperty("revision").GetInt32());
    }

    [Fact]
    public async Task Cancelling_keeps_the_event_listed_with_its_status()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("cancel");
        (await editor.PostAsJsonAsync("/api/events", ValidEvent(slug))).EnsureSuccessStatusCode();
        var cancelled = JsonSerializer.SerializeToElement(ValidEvent(slug)).Clone();
        var withStatus = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(cancelled.GetRawText())!;
        withStatus["status"] = JsonSerializer.SerializeToElement("cancelled");
        (await editor.PutAsJsonAsync($"/api/events/{slug}", withStatus)).EnsureSuccessStatusCode();

        var list = await app.AnonymousClient().GetFromJsonAsync<JsonElement>("/api/events?status=cancelled&pageSize=100");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), e => e.GetProperty("slug").GetString() == slug && e.GetProperty("revision").GetInt32() == 1);
    }

    [Fact]
    public async Task List_filters_by_tag_and_date_range_and_pages()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var tag = $"t{Guid.NewGuid():N}"[..12];
        for (var day = 1; day <= 5; day++)
        {
            var response = await editor.PostAsJsonAsync("/api/events", ValidEvent(Slug($"page{day}"), $"2031-03-0{day}T10:00", $"2031-03-0{day}T12:00", [tag]));
            response.EnsureSuccessStatusCode();
        }

        var anonymous = app.AnonymousClient();
        var page1 = await anonymous.GetFromJsonAsync<JsonElement>($"/api/events?tag={tag}&pageSize=2");
        Assert.Equal(5, page1.GetProperty("total").GetInt32());
        var firstTwo = page1.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("when").GetProperty("startsAt").GetDateTimeOffset()).ToList();
        Assert.Equal(firstTwo.Order().ToList(), firstTwo);

        var page3 = await anonymous.GetFromJsonAsync<JsonElement>($"/api/events?tag={tag}&pageSize=2&page=3");
        Assert.Single(page3.GetProperty("items").EnumerateArray());

        var range = await anonymous.GetFromJsonAsync<JsonElement>($"/api/events?tag={tag}&from=2031-03-02&to=2031-03-04");
        Assert.Equal(2, range.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Drafts_are_hidden_from_the_public_and_visible_to_editors()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("draft");
        (await editor.PostAsJsonAsync("/api/events", ValidEvent(slug, published: false))).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.NotFound, (await app.AnonymousClient().GetAsync($"/api/events/{slug}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync($"/api/events/{slug}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.AnonymousClient().GetAsync("/api/events?includeDrafts=true")).StatusCode);
        var drafts = await editor.GetFromJsonAsync<JsonElement>("/api/events?includeDrafts=true&pageSize=100&from=2030-06-01&to=2030-06-02");
        Assert.Contains(drafts.GetProperty("items").EnumerateArray(), e => e.GetProperty("slug").GetString() == slug);
    }

    [Fact]
    public async Task Duplicate_slug_is_a_conflict_naming_the_field()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("dup");
        (await editor.PostAsJsonAsync("/api/events", ValidEvent(slug))).EnsureSuccessStatusCode();
        var again = await editor.PostAsJsonAsync("/api/events", ValidEvent(slug));
        await again.AssertProblemAsync(HttpStatusCode.Conflict, "slug");
    }

    [Fact]
    public async Task Deleted_event_keeps_its_slug_reserved()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("deleted");
        (await editor.PostAsJsonAsync("/api/events", ValidEvent(slug))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"/api/events/{slug}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await editor.GetAsync($"/api/events/{slug}")).StatusCode);
        await (await editor.PostAsJsonAsync("/api/events", ValidEvent(slug))).AssertProblemAsync(HttpStatusCode.Conflict, "slug");
    }

    [Fact]
    public async Task Slug_is_generated_from_the_title_when_missing()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var title = $"Inform, Influence, Inspire! Café {Guid.NewGuid():N}"[..40];
        var body = new { title, startsAt = "2030-06-01T09:00", endsAt = "2030-06-01T10:00", timeZone = "Europe/London", onlineUrl = "https://example.org/join" };
        var first = await (await editor.PostAsJsonAsync("/api/events", body)).Content.ReadFromJsonAsync<JsonElement>();
        var second = await (await editor.PostAsJsonAsync("/api/events", body)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("inform-influence-inspire-cafe-", first.GetProperty("slug").GetString());
        Assert.Equal(first.GetProperty("slug").GetString() + "-2", second.GetProperty("slug").GetString());
    }

    public static TheoryData<string, string> InvalidEvents => new()
    {
        { """{"title":"x","startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T10:00","timeZone":"Mars/Olympus","onlineUrl":"https://e.org"}""", "timeZone" },
        { """{"title":"x","startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T08:00","timeZone":"Europe/London","onlineUrl":"https://e.org"}""", "endsAt" },
        { """{"title":"x","startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T09:00","timeZone":"Europe/London","onlineUrl":"https://e.org"}""", "endsAt" },
        { """{"title":"x","startsAt":"tomorrow","endsAt":"2030-06-01T10:00","timeZone":"Europe/London","onlineUrl":"https://e.org"}""", "startsAt" },
        { """{"title":"x","startsAt":"2030-02-30T09:00","endsAt":"2030-06-01T10:00","timeZone":"Europe/London","onlineUrl":"https://e.org"}""", "startsAt" },
        { """{"startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T10:00","timeZone":"Europe/London","onlineUrl":"https://e.org"}""", "title" },
        { """{"title":"   ","startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T10:00","timeZone":"Europe/London","onlineUrl":"https://e.org"}""", "title" },
        { $$"""{"title":"{{new string('x', 201)}}","startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T10:00","timeZone":"Europe/London","onlineUrl":"https://e.org"}""", "title" },
        { $$"""{"title":"x","summary":"{{new string('x', 501)}}","startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T10:00","timeZone":"Europe/London","onlineUrl":"https://e.org"}""", "summary" },
        { """{"title":"x","startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T10:00","timeZone":"Europe/London","onlineUrl":"not a url"}""", "onlineUrl" },
        { """{"title":"x","startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T10:00","timeZone":"Europe/London","onlineUrl":"javascript:alert(1)"}""", "onlineUrl" },
        { """{"title":"x","startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T10:00","timeZone":"Europe/London","onlineUrl":"https://e.org","imageUrl":"ftp://e.org/a.png"}""", "imageUrl" },
        { """{"title":"x","startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T10:00","timeZone":"Europe/London"}""", "venue" },
        { """{"title":"x","startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T10:00","timeZone":"Europe/London","venue":{"name":"Hall","latitude":91,"longitude":0}}""", "venue.latitude" },
        { """{"title":"x","startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T10:00","timeZone":"Europe/London","venue":{"name":"Hall","latitude":50}}""", "venue.longitude" },
        { """{"slug":"Not A Slug","title":"x","startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T10:00","timeZone":"Europe/London","onlineUrl":"https://e.org"}""", "slug" },
        { """{"title":"x","startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T10:00","timeZone":"Europe/London","onlineUrl":"https://e.org","tags":["ok","Not OK!"]}""", "tags[1]" },
        { """{"title":"x","startsAt":"2030-06-01T09:00","endsAt":"2030-07-05T10:00","timeZone":"Europe/London","onlineUrl":"https://e.org"}""", "endsAt" },
        { """{"title":"x","startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T10:00","timeZone":"Europe/London","onlineUrl":"https://e.org","status":"maybe"}""", "$.status" },
        { """{"title":42,"startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T10:00","timeZone":"Europe/London","onlineUrl":"https://e.org"}""", "$.title" },
        { """{"title":"x","startsAt":"2030-06-01T09:00","endsAt":""", "$.endsAt" },
        { """[]""", "$" },
        { """{"title":"x","tags":"not-a-list","startsAt":"2030-06-01T09:00","endsAt":"2030-06-01T10:00","timeZone":"Europe/London","onlineUrl":"https://e.org"}""", "$.tags" },
    };

    [Theory]
    [MemberData(nameof(InvalidEvents))]
    public async Task Invalid_input_is_a_problem_naming_the_field_and_never_a_500(string json, string field)
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var response = await editor.PostAsync("/api/events", new StringContent(json, Encoding.UTF8, "application/json"));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, field);
    }

    [Theory]
    [InlineData("/api/events?from=yesterday", "from")]
    [InlineData("/api/events?to=2030-13-01", "to")]
    [InlineData("/api/events?status=maybe", "status")]
    [InlineData("/api/events?status=1", "status")]
    [InlineData("/api/events?page=0", "page")]
    [InlineData("/api/events?pageSize=1000", "pageSize")]
    [InlineData("/api/events?page=abc", "page")]
    public async Task Invalid_query_is_a_problem_naming_the_parameter(string url, string field)
    {
        var response = await app.AnonymousClient().GetAsync(url);
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Wrong_content_type_and_missing_body_are_problems()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var text = await editor.PostAsync("/api/events", new StringContent("title=x", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        var empty = await editor.PostAsync("/api/events", new StringContent("", Encoding.UTF8, "application/json"));
        await empty.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Unknown_event_is_a_404_problem()
    {
        var response = await app.AnonymousClient().GetAsync("/api/events/no-such-event");
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }
}

public sealed class EventsApiOnSqlite(SqliteApp app) : EventsApiTests(app), IClassFixture<SqliteApp>;

public sealed class EventsApiOnPostgres(PostgresApp app) : EventsApiTests(app), IClassFixture<PostgresApp>;
