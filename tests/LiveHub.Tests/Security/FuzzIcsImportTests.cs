using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveHub.Staff;
using Xunit.Abstractions;

namespace LiveHub.Tests.Security;

/// <summary>
/// Mutated .ics files sent to the staff import (preview and confirm): never a 5xx, every refusal a problem
/// naming the field, no unhandled-exception log, a preview's counts agreeing with its items, and the app healthy after.
/// </summary>
public sealed class FuzzIcsImportTests(FuzzEnvironment environment, ITestOutputHelper output) : IClassFixture<FuzzEnvironment>
{
    [Fact]
    public async Task Mutated_calendar_files_are_imported_or_refused_with_a_problem_never_a_server_error()
    {
        var app = environment.App;
        var admin = await app.BearerClientAsync(StaffRoles.Admin);
        // The app's own feed is one of the starting points.
        (await admin.PostAsJsonAsync("/api/events", new
        {
            slug = "fuzz-feed-" + Guid.NewGuid().ToString("N")[..8], title = "Feed event", startsAt = "2030-06-01T09:00", endsAt = "2030-06-01T17:00",
            timeZone = "Europe/London", venue = new { name = "Hall" }, tags = new[] { "fuzz" }, isPublished = true,
        })).EnsureSuccessStatusCode();
        var ownFeed = await admin.GetByteArrayAsync("/calendar.ics");
        var seeds = FuzzIcs.Seeds(DateTime.UtcNow.Date, ownFeed);

        var seed = FuzzSettings.Seed;
        var cases = FuzzSettings.Cases(400);
        var failures = new FuzzFailures(seed, "mutated .ics imports");
        var statuses = new SortedDictionary<int, int>();
        var slow = new SlowestCases();
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < cases && !failures.Full; i++)
        {
            var random = FuzzSettings.ForCase(seed, i);
            var source = seeds[random.Next(seeds.Count)];
            var mutated = FuzzIcs.Mutate(random, source, out var mutation);
            var confirm = random.Next(4) == 0;
            var url = confirm ? "/api/import/confirm" : "/api/import/preview";
            var logsBefore = app.Logs.Count;
            var started = stopwatch.Elapsed;
            HttpResponseMessage response;
            try
            {
                response = await admin.PostAsJsonAsync(url, new { fileName = "fuzz.ics", content = Convert.ToBase64String(mutated), publish = random.Next(2) == 0 });
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                failures.Add(i, $"{url} {mutation}", $"the request threw {ex}");
                continue;
            }

            slow.Add(stopwatch.Elapsed - started, i, $"{url} {mutation} ({mutated.Length} bytes)");
            statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
            var reason = await FuzzAssertions.CheckAsync(response) ?? await CheckImportResponseAsync(response);
            var unhandled = app.Logs.UnhandledSince(logsBefore);
            if (reason is null && unhandled.Count > 0)
            {
                reason = "logged: " + string.Join("\n", unhandled);
            }

            if (reason is not null)
            {
                failures.Add(i, $"POST {url} with {mutation}\n  file: {FuzzAssertions.Printable(mutated)}", reason);
            }
        }

        output.WriteLine($"{cases} cases (seed {seed}) in {stopwatch.Elapsed.TotalSeconds:0.0} s; statuses: {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        output.WriteLine("slowest:\n" + string.Join("\n", slow.Top(5)));
        failures.AssertNone(cases);
        await FuzzAssertions.AssertHealthyAsync(app);
    }

    private static async Task<string?> CheckImportResponseAsync(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnprocessableEntity
                ? null
                : $"unexpected status {(int)response.StatusCode}";
        }

        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var items = body.GetProperty("items").EnumerateArray().ToList();
        var counted = body.GetProperty("created").GetInt32() + body.GetProperty("updated").GetInt32() + body.GetProperty("skipped").GetInt32();
        return counted == items.Count ? null : $"created + updated + skipped = {counted}, but {items.Count} items";
    }
}

/// <summary>The iCalendar reader on its own, with the structure-aware mutations (the byte-level ones are in CorpusTests).</summary>
public sealed class FuzzICalendarReaderTests(ITestOutputHelper output)
{
    [Fact]
    public void Structurally_mutated_files_are_read_or_refused_with_a_parse_error()
    {
        var seeds = FuzzIcs.Seeds(DateTime.UtcNow.Date);
        var seed = FuzzSettings.Seed;
        var cases = FuzzSettings.Cases(600);
        var failures = new FuzzFailures(seed, "mutated .ics reads");
        var options = new LiveHub.ICalendar.Recurrence.EvaluationOptions { MaxIncrements = 5_000, MaxOccurrences = 500 };
        var (read, refused) = (0, 0);
        var slow = new SlowestCases();
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < cases && !failures.Full; i++)
        {
            var random = FuzzSettings.ForCase(seed, i);
            var mutated = FuzzIcs.Mutate(random, seeds[random.Next(seeds.Count)], out var mutation);
            var started = stopwatch.Elapsed;
            try
            {
                foreach (var calendar in new LiveHub.ICalendar.Serialization.CalendarReader().Read(mutated).Calendars)
                {
                    var zones = calendar.CreateTimeZoneResolver();
                    foreach (var e in calendar.Events)
                    {
                        _ = e.Start?.ToUtc(zones);
                        _ = e.End?.ToUtc(zones);
                    }

                    calendar.GetOccurrences(new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2032, 1, 1, 0, 0, 0, DateTimeKind.Utc), options);
                    _ = new LiveHub.ICalendar.Serialization.CalendarSerializer().SerializeToUtf8Bytes(calendar);
                }

                read++;
            }
            catch (LiveHub.ICalendar.CalendarParseException error) when (!error.Reason.StartsWith("unexpected error", StringComparison.Ordinal))
            {
                refused++;
            }
            catch (LiveHub.ICalendar.CalendarException)
            {
                // Evaluation limits and unresolvable zones are the library's documented refusals.
                refused++;
            }
            catch (Exception ex)
            {
                failures.Add(i, $"{mutation}\n  file: {FuzzAssertions.Printable(mutated, 600)}", ex.ToString());
            }

            slow.Add(stopwatch.Elapsed - started, i, $"{mutation} ({mutated.Length} bytes)");
        }

        output.WriteLine($"{cases} cases (seed {seed}) in {stopwatch.Elapsed.TotalSeconds:0.0} s: {read} read, {refused} refused");
        output.WriteLine("slowest:\n" + string.Join("\n", slow.Top(5)));

        failures.AssertNone(cases);
    }
}
