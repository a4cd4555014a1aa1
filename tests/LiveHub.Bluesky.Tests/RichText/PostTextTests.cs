using LiveHub.Bluesky.RichText;

namespace LiveHub.Bluesky.Tests.RichText;

public sealed class PostTextTests
{
    [Theory]
    [InlineData("a\u0301", 1, 3)]
    [InlineData("👨‍👩‍👧‍👦", 1, 25)]
    [InlineData("🇯🇵", 1, 8)]
    [InlineData("👍🏽", 1, 8)]
    [InlineData("\r\n", 1, 2)]
    [InlineData("#️⃣", 1, 7)]
    [InlineData("한국어", 3, 9)]
    public void Graphemes_and_bytes_are_counted_like_the_lexicon(string text, int graphemes, int bytes)
    {
        Assert.Equal(graphemes, PostText.CountGraphemes(text));
        Assert.Equal(bytes, PostText.CountUtf8Bytes(text));
    }

    [Fact]
    public void Limits_apply_to_both_graphemes_and_bytes()
    {
        var families = string.Concat(Enumerable.Repeat("👨‍👩‍👧‍👦", 120));

        Assert.True(PostText.Fits(new string('a', 300)));
        Assert.False(PostText.Fits(new string('a', 301)));
        Assert.True(PostText.Fits(families));
        Assert.False(PostText.Fits(families + "a"));
    }

    [Fact]
    public void Newlines_are_normalised_and_runs_of_blank_lines_collapsed()
    {
        Assert.Equal("a\n\nb\nc", PostText.CleanNewlines("a\r\n\r\n \r\n\u200B\nb\r\nc"));
    }
}
