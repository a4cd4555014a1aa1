using System.Globalization;
using System.Text.Json;

namespace LiveHub.Bluesky.Tests.Records;

public sealed class PostRecordTests
{
    private static readonly BlobRef Image = new("bafkreicjy3xpcqzoskrxr2z2zxskwp6pvfinunl6wwlddksdukgejtfkmi", "image/png", 354);

    [Theory]
    [InlineData("fi-FI")]
    [InlineData("ar-SA")]
    [InlineData("th-TH")]
    [InlineData("fa-IR")]
    public void CreatedAt_is_formatted_invariantly_in_utc_whatever_the_culture(string culture)
    {
        var original = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(culture);
            var post = new PostRecord { Text = "t", CreatedAt = new DateTimeOffset(2026, 11, 21, 15, 40, 0, 7, TimeSpan.FromHours(2)) };

            using var json = JsonDocument.Parse(post.ToJson());

            Assert.Equal("2026-11-21T13:40:00.007Z", json.RootElement.GetProperty("createdAt").GetString());
        }
        finally
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = original;
        }
    }

    [Fact]
    public void Serialisation_is_deterministic_and_has_the_lexicon_shape()
    {
        var root = new StrongRef("at://did:plc:x/app.bsky.feed.post/3n2t7yehgc2wa", "bafyreid7");
        var parent = new StrongRef("at://did:plc:x/app.bsky.feed.post/3n2t7yeiz32km", "bafyreict");
        var post = TestClients.Post("Hall A 🎤 #ConfLive") with
        {
            Reply = new ReplyRef(root, parent),
            Facets = [new Facet(12, 21, [new TagFeature("ConfLive")])],
            Embed = new ImagesEmbed([new EmbeddedImage(Image, "Speaker on stage", new AspectRatio(4, 3))]),
        };

        var json = post.ToJson();

        Assert.Equal(json, (post with { }).ToJson());
        Assert.StartsWith("""{"$type":"app.bsky.feed.post","text":"Hall A""", json, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json);
        var value = document.RootElement;
        Assert.Equal("en", value.GetProperty("langs")[0].GetString());
        Assert.Equal(parent.Uri, value.GetProperty("reply").GetProperty("parent").GetProperty("uri").GetString());
        Assert.Equal("app.bsky.richtext.facet#tag", value.GetProperty("facets")[0].GetProperty("features")[0].GetProperty("$type").GetString());
        Assert.Equal(21, value.GetProperty("facets")[0].GetProperty("index").GetProperty("byteEnd").GetInt32());
        var image = value.GetProperty("embed").GetProperty("images")[0];
        Assert.Equal("blob", image.GetProperty("image").GetProperty("$type").GetString());
        Assert.Equal(Image.Cid, image.GetProperty("image").GetProperty("ref").GetProperty("$link").GetString());
        Assert.Equal(354, image.GetProperty("image").GetProperty("size").GetInt32());
    }

    [Fact]
    public void Record_with_media_nests_the_quote_and_the_link_card()
    {
        var quoted = new StrongRef("at://did:plc:x/app.bsky.feed.post/3k44deefqdk2g", "bafyreiecx6");
        var post = TestClients.Post("quote") with
        {
            Embed = new RecordWithMediaEmbed(quoted, new ExternalEmbed("https://example.com/talk", "Keynote", "", Image)),
        };

        using var document = JsonDocument.Parse(post.ToJson());
        var embed = document.RootElement.GetProperty("embed");

        Assert.Equal("app.bsky.embed.recordWithMedia", embed.GetProperty("$type").GetString());
        Assert.Equal(quoted.Cid, embed.GetProperty("record").GetProperty("record").GetProperty("cid").GetString());
        Assert.Equal("app.bsky.embed.external", embed.GetProperty("media").GetProperty("$type").GetString());
        Assert.Equal("", embed.GetProperty("media").GetProperty("external").GetProperty("description").GetString());
    }

    [Fact]
    public void Invalid_records_are_refused_before_sending()
    {
        var tooMany = Enumerable.Repeat(new EmbeddedImage(Image, "alt"), 5).ToList();

        Assert.Contains("301 graphemes", Assert.Single(TestClients.Post(new string('a', 301)).Validate()), StringComparison.Ordinal);
        Assert.Contains("4 langs", Assert.Single((TestClients.Post("x") with { Langs = ["en", "fr", "de", "es"] }).Validate()), StringComparison.Ordinal);
        Assert.Contains("5 images", Assert.Single((TestClients.Post("x") with { Embed = new ImagesEmbed(tooMany) }).Validate()), StringComparison.Ordinal);
        Assert.Contains("without a DID", Assert.Single((TestClients.Post("@a.test") with { Facets = [new Facet(0, 7, [new MentionFeature("")])] }).Validate()), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TestClients.Post(new string('a', 301)).ToJson());
        Assert.Empty(TestClients.Post(string.Concat(Enumerable.Repeat("👨‍👩‍👧‍👦", 120))).Validate());
    }

    [Fact]
    public void At_uris_parse_into_repo_collection_and_rkey()
    {
        var uri = AtUri.Parse("at://did:plc:cx6kepym6q7t6lehfhovz24e/app.bsky.feed.post/3n2t7rsfrjctg");

        Assert.Equal(new AtUri("did:plc:cx6kepym6q7t6lehfhovz24e", "app.bsky.feed.post", "3n2t7rsfrjctg"), uri);
        Assert.Throws<FormatException>(() => AtUri.Parse("https://bsky.app/profile/x"));
    }
}
