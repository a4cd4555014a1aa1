using System.Text.RegularExpressions;
using LiveHub.Bluesky.RichText;

namespace LiveHub.Bluesky.Tests.RichText;

public sealed partial class PostSplitterTests
{
    [Fact]
    public void Text_that_fits_is_one_post_without_a_counter()
    {
        Assert.Equal(["Keynote starting now!"], PostSplitter.Split("  Keynote starting now!\r\n"));
    }

    [Fact]
    public void Long_text_is_split_into_numbered_posts_within_the_limits()
    {
        var words = string.Join(' ', Enumerable.Range(1, 400).Select(i => $"word{i}"));

        var chunks = PostSplitter.Split(words);

        Assert.True(chunks.Count > 1);
        AssertWithinLimits(chunks);
        for (var i = 0; i < chunks.Count; i++)
        {
            Assert.EndsWith($" ({i + 1}/{chunks.Count})", chunks[i], StringComparison.Ordinal);
        }
        Assert.Equal(words, string.Join(' ', chunks.Select(StripCounter)));
    }

    [Fact]
    public void Zwj_sequences_are_never_split_and_the_byte_limit_applies()
    {
        const string family = "👨‍👩‍👧‍👦";
        var text = string.Concat(Enumerable.Repeat(family, 400));

        var chunks = PostSplitter.Split(text);

        AssertWithinLimits(chunks);
        Assert.All(chunks.Select(StripCounter), body => Assert.Equal(body, string.Concat(Enumerable.Repeat(family, body.Length / family.Length))));
        Assert.Equal(text, string.Concat(chunks.Select(StripCounter)));
    }

    [Fact]
    public void Flags_and_combining_marks_are_never_split()
    {
        var text = string.Concat(Enumerable.Repeat("🇯🇵e\u0301", 250));

        var chunks = PostSplitter.Split(text);

        AssertWithinLimits(chunks);
        Assert.All(chunks.Select(StripCounter), body => Assert.Matches("^(?:🇯🇵|e\u0301)+$", body));
        Assert.Equal(text, string.Concat(chunks.Select(StripCounter)));
    }

    [Fact]
    public void Links_mentions_and_tags_are_never_cut()
    {
        const string url = "https://example.com/a/really/long/path/to/the/live/page?session=keynote";
        var text = new string('x', 250) + " " + url + " more text @confbot.test #ConfLive " + string.Join(' ', Enumerable.Repeat("filler", 60));

        var chunks = PostSplitter.Split(text);

        AssertWithinLimits(chunks);
        Assert.Contains(chunks, c => c.Contains(url, StringComparison.Ordinal));
        Assert.Contains(chunks, c => c.Contains("@confbot.test", StringComparison.Ordinal));
        Assert.Contains(chunks, c => c.Contains("#ConfLive", StringComparison.Ordinal));
        Assert.Single(chunks, c => FacetDetector.Detect(c).Any(f => f.Kind == FacetKind.Link && f.Value == url));
    }

    [Fact]
    public void A_paragraph_break_is_preferred_over_a_sentence_end_and_a_sentence_end_over_a_space()
    {
        var first = string.Join(' ', Enumerable.Repeat("alpha.", 30)).TrimEnd('.') + " end of paragraph one.";
        var second = "Second paragraph starts here. " + string.Join(' ', Enumerable.Repeat("beta", 50));
        var chunks = PostSplitter.Split(first + "\n\n" + second);
        Assert.Equal(first, StripCounter(chunks[0]));

        var sentences = "Sentence one is here. " + string.Join(' ', Enumerable.Repeat("gamma", 35)) + ". Then more words " + string.Join(' ', Enumerable.Repeat("delta", 30));
        var bySentence = PostSplitter.Split(sentences);
        Assert.EndsWith("gamma.", StripCounter(bySentence[0]), StringComparison.Ordinal);
    }

    [Fact]
    public void The_counter_width_is_recomputed_when_the_number_of_posts_needs_more_digits()
    {
        var text = string.Join(' ', Enumerable.Range(1, 700).Select(i => $"item{i:0000}"));

        var chunks = PostSplitter.Split(text);

        Assert.True(chunks.Count >= 10);
        AssertWithinLimits(chunks);
        Assert.EndsWith($" (1/{chunks.Count})", chunks[0], StringComparison.Ordinal);
        Assert.EndsWith($" ({chunks.Count}/{chunks.Count})", chunks[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Numbering_can_be_turned_off()
    {
        var chunks = PostSplitter.Split(new string('a', 250) + " " + new string('b', 250), new PostSplitOptions { NumberChunks = false });

        Assert.Equal([new string('a', 250), new string('b', 250)], chunks);
    }

    private static void AssertWithinLimits(IReadOnlyList<string> chunks) =>
        Assert.All(chunks, c =>
        {
            Assert.InRange(PostText.CountGraphemes(c), 1, PostText.MaxGraphemes);
            Assert.InRange(PostText.CountUtf8Bytes(c), 1, PostText.MaxBytes);
        });

    private static string StripCounter(string chunk) => Counter().Replace(chunk, "");

    [GeneratedRegex(@" \([0-9]+/[0-9]+\)\z")]
    private static partial Regex Counter();
}
