using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Data;
using LiveHub.Live;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LiveHub.Tests.Live;

/// <summary>An image is public only while a visible post uses it; unattached uploads expire; deleted posts' images are removed.</summary>
public abstract class LiveImageVisibilityTests(LiveHubApp app)
{
    [Fact]
    public async Task An_image_is_served_publicly_only_while_a_visible_post_uses_it()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var console = await app.CookieClientAsync(StaffRoles.Editor);
        var anonymous = app.AnonymousClient();
        var image = await UploadAsync(live);
        var url = image.GetProperty("url").GetString()!;

        // Not attached yet: only staff see it (the console previews it, with the cookie), and no shared cache keeps it.
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(url)).StatusCode);
        var preview = await console.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.True(preview.Headers.CacheControl is { Private: true, NoStore: true }, $"Cache-Control: {preview.Headers.CacheControl}");

        var post = await (await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { body = "With a photo", imageIds = new[] { image.GetProperty("id").GetGuid() } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var served = await anonymous.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.True(served.Headers.CacheControl?.NoCache, "A public image must be revalidated, so that it stops being shown when its post goes.");

        // The event becomes a draft: hidden from the public, still visible to editors; public again once republished.
        (await live.Editor.PutAsJsonAsync($"/api/events/{live.Slug}", EventsTestData.Event(live.Slug, published: false))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await console.GetAsync(url)).StatusCode);
        (await live.Editor.PutAsJsonAsync($"/api/events/{live.Slug}", EventsTestData.Event(live.Slug))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(url)).StatusCode);

        // The post is deleted: nobody gets the image any more.
        (await live.Editor.DeleteAsync($"/api/streams/{live.StreamId}/posts/{post.GetProperty("id").GetGuid()}")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await console.GetAsync(url)).StatusCode);

        // An image of a post in a session that is then deleted.
        var other = await UploadAsync(live);
        (await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { body = "Another photo", imageIds = new[] { other.GetProperty("id").GetGuid() } })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(other.GetProperty("url").GetString())).StatusCode);
        (await live.Editor.DeleteAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(other.GetProperty("url").GetString())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await console.GetAsync(other.GetProperty("url").GetString())).StatusCode);
    }

    [Fact]
    public async Task The_cleanup_removes_unattached_uploads_after_the_grace_period_and_the_images_of_deleted_posts()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var unattached = await UploadAsync(live);
        var ofDeletedPost = await UploadAsync(live);
        var kept = await UploadAsync(live);
        var doomed = await (await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { body = "To be deleted", imageIds = new[] { Id(ofDeletedPost) } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        (await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { body = "Stays", imageIds = new[] { Id(kept) } })).EnsureSuccessStatusCode();
        (await live.Editor.DeleteAsync($"/api/streams/{live.StreamId}/posts/{doomed.GetProperty("id").GetGuid()}")).EnsureSuccessStatusCode();
        var files = new Dictionary<Guid, string>();
        await app.WithDbAsync(async db =>
        {
            foreach (var image in await db.LiveImages.AsNoTracking().Where(i => i.StreamId == live.StreamId).ToListAsync())
            {
                files[image.Id] = Path.Combine(LiveImageEndpoints.MediaFolder(app.Services.GetRequiredService<DataDirectory>()), image.FileName);
            }
        });
        Assert.All(files.Values, path => Assert.True(File.Exists(path)));

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new LiveOptions { UnattachedImageGracePeriod = TimeSpan.FromHours(24), ImageCleanupInterval = TimeSpan.FromHours(1) };
        using var cleanup = new LiveImageCleanup(app.Services.GetRequiredService<IServiceScopeFactory>(), app.Services.GetRequiredService<DataDirectory>(),
            Options.Create(options), clock, NullLogger<LiveImageCleanup>.Instance);
        await cleanup.StartAsync(CancellationToken.None);
        try
        {
            // The pass at start: the deleted post's image goes; the upload is young and stays.
            await PassAsync(cleanup, clock);
            Assert.Equal(new[] { Id(unattached), Id(kept) }.Order(), await RemainingAsync(live.StreamId));
            Assert.False(File.Exists(files[Id(ofDeletedPost)]));

            clock.Advance(TimeSpan.FromHours(23));
            await PassAsync(cleanup, clock);
            Assert.Equal(new[] { Id(unattached), Id(kept) }.Order(), await RemainingAsync(live.StreamId));

            clock.Advance(TimeSpan.FromHours(2));
            await PassAsync(cleanup, clock);
            Assert.Equal([Id(kept)], await RemainingAsync(live.StreamId));
            Assert.False(File.Exists(files[Id(unattached)]));
            Assert.True(File.Exists(files[Id(kept)]));
            Assert.Equal(HttpStatusCode.OK, (await app.AnonymousClient().GetAsync(kept.GetProperty("url").GetString())).StatusCode);
        }
        finally
        {
            await cleanup.StopAsync(CancellationToken.None);
        }
    }

    private static Guid Id(JsonElement image) => image.GetProperty("id").GetGuid();

    /// <summary>Waits for a pass that started at the fake clock's current time (the timer fires on Advance).</summary>
    private static async Task PassAsync(LiveImageCleanup cleanup, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!(cleanup.LastPassAt >= now))
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private async Task<List<Guid>> RemainingAsync(Guid streamId)
    {
        var ids = new List<Guid>();
        await app.WithDbAsync(async db => ids = await db.LiveImages.Where(i => i.StreamId == streamId).Select(i => i.Id).ToListAsync());
        return [.. ids.Order()];
    }

    private static async Task<JsonElement> UploadAsync(LiveScenario live)
    {
        var response = await StreamVisibilityTests.UploadAsync(live.Editor, live.StreamId);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

public sealed class LiveImageVisibilityOnSqlite(SqliteApp app) : LiveImageVisibilityTests(app), IClassFixture<SqliteApp>;

public sealed class LiveImageVisibilityOnPostgres(PostgresApp app) : LiveImageVisibilityTests(app), IClassFixture<PostgresApp>;
