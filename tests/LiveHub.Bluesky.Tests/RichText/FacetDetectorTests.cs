using LiveHub.Bluesky.RichText;

namespace LiveHub.Bluesky.Tests.RichText;

public sealed class FacetDetectorTests
{
    private const string AtprotoDid = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";
    private const string ConfbotDid = "did:plc:hsqfzdnoc4vcipu2vlbect2w";

    private static readonly Dictionary<string, string> KnownHandles = new()
    {
        ["atproto.com"] = AtprotoDid,
        ["confbot.test"] = ConfbotDid,
        ["alice.test"] = "did:plc:alice",
    };

    private static IReadOnlyList<Facet> Facets(string text) => FacetBuilder.Build(text, h => KnownHandles.GetValueOrDefault(h));

    private static (int Start, int End, FacetFeature Feature)[] Ranges(string text) =>
        [.. Facets(text).Select(f => (f.ByteStart, f.ByteEnd, Assert.Single(f.Features)))];

    [Fact]
    public void Posts_guide_vector_with_a_zwj_emoji_and_trailing_period()
    {
        var ranges = Ranges("✨ example mentioning @atproto.com to share the URL 👨‍❤️‍👨 https://en.wikipedia.org/wiki/CBOR.");

        Assert.Equal(
            [(23, 35, new MentionFeature(AtprotoDid)), (74, 108, new LinkFeature("https://en.wikipedia.org/wiki/CBOR"))],
            ranges);
    }

    [Fact]
    public void Live_update_vector_with_mention_link_and_tag()
    {
        var ranges = Ranges("🎤 Live from Hall A: keynote with @confbot.test starts now! Slides: https://example.com/slides #ConfLive (1/3)");

        Assert.Equal(
            [
                (36, 49, new MentionFeature(ConfbotDid)),
                (70, 96, new LinkFeature("https://example.com/slides")),
                (97, 106, new TagFeature("ConfLive")),
            ],
            ranges);
    }

    [Fact]
    public void Byte_offsets_count_accents_cjk_and_emoji_in_utf8()
    {
        Assert.Equal([(6, 12, new TagFeature("café"))], Ranges("Café #café"));
        Assert.Equal([(7, 33, new LinkFeature("https://example.com/東京"))], Ranges("見て https://example.com/東京 ok"));
        Assert.Equal([(9, 13, new TagFeature("tag"))], Ranges("👍🏽 #tag"));
        Assert.Equal([(0, 12, new TagFeature("fullwidth"))], Ranges("＃fullwidth"));
    }

    [Theory]
    [InlineData("punctuation https://foo.com, https://bar.com/whatever; https://baz.com.", "https://foo.com|https://bar.com/whatever|https://baz.com")]
    [InlineData("(https://foo.com)", "https://foo.com")]
    [InlineData("https://foo.com/thing_(cool)", "https://foo.com/thing_(cool)")]
    [InlineData("a trailing bsky.app: colon", "https://bsky.app")]
    [InlineData("see example.com/path?x=1 now", "https://example.com/path?x=1")]
    [InlineData("Visit https://x.com.", "https://x.com")]
    [InlineData("Really? https://example.com/q?!", "https://example.com/q?")]
    [InlineData("e.g.", "")]
    [InlineData("something-cool.jpg", "")]
    [InlineData("website.com.jpg", "")]
    [InlineData("version1.2 is out", "")]
    public void Links_follow_the_official_detection_rules(string text, string expected)
    {
        var links = FacetDetector.Detect(text).Where(f => f.Kind == FacetKind.Link).Select(f => f.Value);

        Assert.Equal(expected, string.Join('|', links));
    }

    [Theory]
    [InlineData("strips trailing #punctuation, #like. #this!", "punctuation|like|this")]
    [InlineData("its a #double#rainbow", "double#rainbow")]
    [InlineData("##hashash", "#hashash")]
    [InlineData("works #with,punctuation", "with,punctuation")]
    [InlineData("#butter🦋fly", "butter🦋fly")]
    [InlineData("#1 and #2026", "")]
    [InlineData("#1a", "1a")]
    [InlineData("#️⃣ keycap", "")]
    [InlineData("no#tag inside words", "")]
    [InlineData("soft\u00ADhyphen #tag\u00ADend", "tag")]
    public void Tags_follow_the_official_detection_rules(string text, string expected)
    {
        var tags = FacetDetector.Detect(text).Where(f => f.Kind == FacetKind.Tag).Select(f => f.Value);

        Assert.Equal(expected, string.Join('|', tags));
    }

    [Fact]
    public void Tag_ranges_exclude_stripped_punctuation()
    {
        Assert.Equal(
            [(16, 28, new TagFeature("punctuation")), (30, 35, new TagFeature("like")), (37, 42, new TagFeature("this"))],
            Ranges("strips trailing #punctuation, #like. #this!"));
    }

    [Fact]
    public void Tags_longer_than_64_graphemes_are_dropped()
    {
        Assert.Single(FacetDetector.Detect("#" + new string('a', 64)));
        Assert.Empty(FacetDetector.Detect("#" + new string('a', 65)));
        Assert.Single(FacetDetector.Detect("#" + string.Concat(Enumerable.Repeat("é", 64))));
    }

    [Fact]
    public void Cashtags_become_upper_case_tags()
    {
        Assert.Equal([(0, 5, new TagFeature("$AAPL"))], Ranges("$aapl up"));
        Assert.Empty(FacetDetector.Detect("$TOOLONG and $5 and x$ABC"));
    }

    [Theory]
    [InlineData("@alice.test.", "alice.test")]
    [InlineData("(@alice.test)", "alice.test")]
    [InlineData("hey @alice.test-", "alice.test")]
    [InlineData("mail bob@example.com", "")]
    [InlineData("@alice.notarealtld", "")]
    [InlineData("@localhost", "")]
    [InlineData("@user.bsky.social, hi", "user.bsky.social")]
    public void Mentions_need_a_valid_tld_and_an_ascii_boundary(string text, string expected)
    {
        var mentions = FacetDetector.Detect(text).Where(f => f.Kind == FacetKind.Mention).Select(f => f.Value);

        Assert.Equal(expected, string.Join('|', mentions));
    }

    [Fact]
    public async Task Unresolvable_mentions_stay_plain_text()
    {
        var resolver = new DictionaryResolver(KnownHandles);

        var facets = await FacetBuilder.BuildAsync("hi @nobody.test and @alice.test and @ALICE.test", resolver);

        Assert.Equal(2, facets.Count);
        Assert.All(facets, f => Assert.Equal(new MentionFeature("did:plc:alice"), Assert.Single(f.Features)));
        Assert.Equal(2, resolver.Calls);
    }

    [Fact]
    public void Facets_are_sorted_and_never_overlap()
    {
        var facets = Facets("#tag https://example.com/#frag @alice.test example.com (https://a.com)");

        Assert.Equal(facets.OrderBy(f => f.ByteStart), facets);
        Assert.All(facets.Zip(facets.Skip(1)), pair => Assert.True(pair.First.ByteEnd <= pair.Second.ByteStart));
        Assert.Equal(5, facets.Count);
    }

    private sealed class DictionaryResolver(Dictionary<string, string> handles) : IHandleResolver
    {
        public int Calls { get; private set; }

        public Task<string?> ResolveHandleAsync(string handle, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(handles.GetValueOrDefault(handle.ToLowerInvariant()));
        }
    }
}
