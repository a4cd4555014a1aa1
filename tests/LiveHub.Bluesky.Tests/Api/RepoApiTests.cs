using LiveHub.Testing.FakeBluesky;

namespace LiveHub.Bluesky.Tests.Api;

public sealed class RepoApiTests
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];

    [Fact]
    public async Task Posts_with_each_kind_of_embed_pass_the_pds_validation()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);
        var blob = await client.Repo.UploadBlobAsync(Png, "application/octet-stream");
        var quoted = await client.Feed.CreatePostAsync(TestClients.Post("quoted"));
        var images = new ImagesEmbed([new EmbeddedImage(blob, "Speaker on stage in Hall A", new AspectRatio(64, 48))]);
        var card = new ExternalEmbed("https://example.com/talk", "Keynote", "Slides and video", blob);

        await client.Feed.CreatePostAsync(TestClients.Post("images") with { Embed = images });
        await client.Feed.CreatePostAsync(TestClients.Post("card") with { Embed = card });
        await client.Feed.CreatePostAsync(TestClients.Post("quote") with { Embed = new RecordEmbed(quoted.Ref) });
        await client.Feed.CreatePostAsync(TestClients.Post("quote+media") with { Embed = new RecordWithMediaEmbed(quoted.Ref, images) });

        Assert.Equal("image/png", blob.MimeType);
        Assert.Equal(Png.Length, blob.Size);
        Assert.StartsWith("bafkrei", blob.Cid, StringComparison.Ordinal);
        Assert.Equal(5, server.GetRecords().Count);
        var stored = server.GetRecords()[1].Value.GetProperty("embed");
        Assert.Equal("app.bsky.embed.images", stored.GetProperty("$type").GetString());
        Assert.Equal(blob.Cid, stored.GetProperty("images")[0].GetProperty("image").GetProperty("ref").GetProperty("$link").GetString());
        Assert.Equal(48, stored.GetProperty("images")[0].GetProperty("aspectRatio").GetProperty("height").GetInt32());
    }

    [Fact]
    public async Task An_image_referencing_an_unknown_blob_is_rejected_with_BlobNotFound()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);
        var missing = new BlobRef("bafkreicjy3xpcqzoskrxr2z2zxskwp6pvfinunl6wwlddksdukgejtfkmi", "image/png", 354);
        var post = TestClients.Post("missing") with { Embed = new ImagesEmbed([new EmbeddedImage(missing, "alt")]) };

        var ex = await Assert.ThrowsAsync<XrpcException>(() => client.Feed.CreatePostAsync(post));

        Assert.Equal(XrpcErrors.BlobNotFound, ex.Error);
    }

    [Fact]
    public async Task Oversized_uploads_are_rejected()
    {
        await using var server = await FakeBlueskyServer.StartAsync(o => o.BlobUploadLimit = 1000);
        using var client = TestClients.Create(server);

        var ex = await Assert.ThrowsAsync<XrpcException>(() => client.Repo.UploadBlobAsync(new byte[1001], "image/jpeg"));

        Assert.Equal(413, ex.StatusCode);
        Assert.Equal(XrpcErrors.PayloadTooLarge, ex.Error);
        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public async Task Records_can_be_read_listed_newest_first_with_a_cursor_and_deleted_twice()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);
        var written = new List<IdempotentWriteResult>();
        for (var i = 0; i < 5; i++)
        {
            written.Add(await client.Feed.CreatePostAsync(TestClients.Post($"post {i}")));
        }

        var firstPage = await client.Repo.ListRecordsAsync(PostRecord.Collection, limit: 3);
        var secondPage = await client.Repo.ListRecordsAsync(PostRecord.Collection, limit: 3, cursor: firstPage.Cursor);
        var oldestFirst = await client.Repo.ListRecordsAsync(PostRecord.Collection, reverse: true);
        var fetched = await client.Feed.GetPostAsync(AtUri.Parse(written[2].Uri).Rkey);
        await client.Feed.DeletePostAsync(written[2].Uri);
        await client.Feed.DeletePostAsync(written[2].Uri);

        Assert.Equal(written.AsEnumerable().Reverse().Select(w => w.Uri), firstPage.Records.Concat(secondPage.Records).Select(r => r.Uri));
        Assert.Equal(written.Select(w => w.Uri), oldestFirst.Records.Select(r => r.Uri));
        Assert.Equal("post 2", fetched!.Value.GetProperty("text").GetString());
        Assert.Equal(written[2].Cid, fetched.Cid);
        Assert.Null(await client.Feed.GetPostAsync(AtUri.Parse(written[2].Uri).Rkey));
        Assert.Equal(4, server.GetRecords().Count);
        Assert.All(server.RequestsFor("com.atproto.repo.deleteRecord"), r => Assert.Equal(200, r.StatusCode));
    }

    [Fact]
    public async Task CreateRecord_with_an_existing_key_fails_with_500_and_putRecord_swap_null_is_a_no_op()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);
        var json = TestClients.Post("dup").ToJson();
        var rkey = client.Tids.Next();
        var created = await client.Repo.CreateRecordAsync(PostRecord.Collection, json, rkey);

        var duplicate = await Assert.ThrowsAsync<XrpcException>(() => client.Repo.CreateRecordAsync(PostRecord.Collection, json, rkey));
        var put = await client.Repo.PutRecordAsync(PostRecord.Collection, rkey, json, RecordSwap.MustNotExist);

        Assert.NotNull(created.Commit);
        Assert.Equal(500, duplicate.StatusCode);
        Assert.True(duplicate.IsAmbiguous);
        Assert.Null(put.Commit);
        Assert.Equal(created.Cid, put.Cid);
    }

    [Fact]
    public async Task Post_keys_must_be_tids()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);

        var ex = await Assert.ThrowsAsync<XrpcException>(() =>
            client.Repo.PutRecordAsync(PostRecord.Collection, "conf-2026-keynote", TestClients.Post("x").ToJson(), RecordSwap.MustNotExist));

        Assert.StartsWith("Invalid record key for app.bsky.feed.post: Invalid TID string", ex.ErrorMessage, StringComparison.Ordinal);
    }
}
