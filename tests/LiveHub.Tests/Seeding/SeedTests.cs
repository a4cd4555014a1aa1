using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Seeding;
using LiveHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHub.Tests.Seeding;

public abstract class SeedTests(LiveHubApp app)
{
    public sealed class SeededSqliteApp : SqliteApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Seeds:LoadWhenEmpty"] = "true" };
    }

    public sealed class SeededPostgresApp : PostgresApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Seeds:LoadWhenEmpty"] = "true" };
    }

    [Fact]
    public async Task First_start_loads_the_hubs_events_in_london_time()
    {
        var list = await app.AnonymousClient().GetFromJsonAsync<JsonElement>("/api/events?pageSize=100");
        var slugs = list.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("slug").GetString()).ToList();
        Assert.Contains("place-based-funding-simulation-game", slugs);
        Assert.Contains("ai-policy-networking-upen", slugs);
        Assert.Contains("epic-futures-ni-inform-influence-inspire", slugs);
        Assert.Contains("second-place-partnership-conference", slugs);

        var game = await app.AnonymousClient().GetFromJsonAsync<JsonElement>("/api/events/place-based-funding-simulation-game");
        Assert.Equal("The Exchange", game.GetProperty("venue").GetProperty("name").GetString());
        Assert.Equal("2025-11-05T11:00:00+00:00", game.GetProperty("when").GetProperty("startsAtLocal").GetString());
        Assert.Contains("esrc-festival", game.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        var conference = await app.AnonymousClient().GetFromJsonAsync<JsonElement>("/api/events/second-place-partnership-conference");
        var panel = conference.GetProperty("sessions").EnumerateArray().Single(s => s.GetProperty("title").GetString()!.StartsWith("Panel", StringComparison.Ordinal));
        Assert.Equal("Rebecca Riley", panel.GetProperty("chair").GetProperty("name").GetString());
        Assert.Equal(["Jo Allison", "Dr Abigail Taylor", "Des McNulty"], panel.GetProperty("speakers").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Reloading_replaces_the_data_instead_of_doubling_it()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var loader = scope.ServiceProvider.GetRequiredService<SeedLoader>();
        await loader.ReloadAsync(CancellationToken.None);
        await loader.ReloadAsync(CancellationToken.None);
        var db = scope.ServiceProvider.GetRequiredService<LiveHub.Data.LiveHubDbContext>();
        Assert.Equal(4, await db.Events.CountAsync());
        Assert.Equal(5, await db.Speakers.CountAsync());
        Assert.Equal(1, await db.Events.CountAsync(e => e.Slug == "second-place-partnership-conference"));
    }
}

public sealed class SeedOnSqlite(SeedTests.SeededSqliteApp app) : SeedTests(app), IClassFixture<SeedTests.SeededSqliteApp>;

public sealed class SeedOnPostgres(SeedTests.SeededPostgresApp app) : SeedTests(app), IClassFixture<SeedTests.SeededPostgresApp>;

public sealed class SeedFileValidationTests
{
    [Fact]
    public async Task A_seed_the_api_would_refuse_fails_with_the_field_and_the_reason()
    {
        var folder = Directory.CreateTempSubdirectory("livehub-badseed").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "speakers.json"), "[]");
        await File.WriteAllTextAsync(Path.Combine(folder, "events.json"), """
            [{"slug":"bad","title":"Bad","startsAt":"2030-01-01T10:00","endsAt":"2030-01-01T09:00","timeZone":"Europe/London","venue":{"name":"Hall"}}]
            """);
        await using var app = new BadSeedApp(folder);
        await app.InitializeAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var loader = scope.ServiceProvider.GetRequiredService<SeedLoader>();
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => loader.LoadAsync(CancellationToken.None));
        Assert.Contains("'bad'", error.Message, StringComparison.Ordinal);
        Assert.Contains("endsAt must be after startsAt", error.Message, StringComparison.Ordinal);
    }

    private sealed class BadSeedApp(string folder) : SqliteApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Seeds:Path"] = folder };
    }
}
