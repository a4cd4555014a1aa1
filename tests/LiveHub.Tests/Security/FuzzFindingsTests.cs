using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveHub.ICalendar.Serialization;
using LiveHub.Staff;
using LiveHub.Tests.Calendar;
using LiveHub.Tests.Infrastructure;

namespace LiveHub.Tests.Security;

/// <summary>What the fuzzers found, pinned down as plain regression tests.</summary>
public sealed class FuzzFindingsTests(CalendarSqliteApp app) : IClassFixture<CalendarSqliteApp>
{
    [Fact]
    public async Task A_json_body_in_an_unknown_charset_is_a_415_problem_not_a_server_error()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var content = new StringContent("""{"name":"Ada"}""", Encoding.UTF8);
        content.Headers.Remove("Content-Type");
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=nonsense");
        var problem = await (await editor.PostAsync("/api/speakers", content)).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "Content-Type");
        Assert.Contains("nonsense", problem.GetProperty("errors").GetProperty("Content-Type")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Events_outside_any_vcalendar_are_built_once_each()
    {
        // Each orphan VEVENT used to rebuild the whole implicit calendar: quadratic time, and repeated warnings.
        var orphans = string.Concat(Enumerable.Range(0, 5).Select(i => $"BEGIN:VEVENT\r\nUID:o{i}\r\nDTSTART:2030010{i + 1}T100000Z\r\nGEO:not-a-position\r\nSUMMARY:Orphan {i}\r\nEND:VEVENT\r\n"));
        var read = new CalendarReader().Read(Encoding.UTF8.GetBytes(orphans));
        Assert.Equal(5, Assert.Single(read.Calendars).Events.Count);
        Assert.Equal(5, read.Warnings.Count(w => w.Message.Contains("GEO", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_series_that_needs_too_many_periods_to_expand_is_skipped_with_a_reason()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:every-second@example.com\r\nDTSTAMP:20300101T000000Z\r\n"
            + "DTSTART:19700101T000000Z\r\nRRULE:FREQ=SECONDLY\r\nSUMMARY:Every second since 1970\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        var response = await editor.PostAsJsonAsync("/api/import/preview", new { fileName = "s.ics", content = Convert.ToBase64String(Encoding.UTF8.GetBytes(ics)) });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var item = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
        Assert.Equal("skip", item.GetProperty("action").GetString());
        Assert.Contains("100000 periods", item.GetProperty("reasons")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_email_with_unicode_noncharacters_is_a_failed_sign_in_or_an_invalid_field_not_a_server_error()
    {
        var token = await app.AnonymousClient().PostAsJsonAsync("/api/account/token", new { email = "\uFFFF\uFFFE", password = "whatever it is" });
        await token.AssertProblemAsync(HttpStatusCode.Unauthorized);
        var admin = await app.BearerClientAsync(StaffRoles.Admin);
        var created = await admin.PostAsJsonAsync("/api/staff", new { email = "a\uFFFF@example.org", password = LiveHubApp.Password, role = StaffRoles.Editor });
        await created.AssertProblemAsync(HttpStatusCode.BadRequest, "email");
    }

    [Fact]
    public async Task An_event_whose_end_would_pass_year_9999_is_skipped_with_a_reason()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:end-of-time@example.com\r\nDTSTAMP:20300101T000000Z\r\n"
            + "DTSTART:99991231T233000Z\r\nSUMMARY:Last call\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        var response = await editor.PostAsJsonAsync("/api/import/preview", new { fileName = "e.ics", content = Convert.ToBase64String(Encoding.UTF8.GetBytes(ics)) });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var item = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
        Assert.Equal("skip", item.GetProperty("action").GetString());
        Assert.Contains("9999", item.GetProperty("reasons")[0].GetString(), StringComparison.Ordinal);
    }
}
