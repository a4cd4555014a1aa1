namespace LiveHub.Bluesky.Tests.Records;

public sealed class TidTests
{
    [Fact]
    public void Tids_are_13_sortable_base32_characters_encoding_microseconds_and_clock_id()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 21, 13, 40, 0, TimeSpan.Zero).AddTicks(1234560));
        var tid = new TidGenerator(time, clockId: 7).Next();

        Assert.Matches("^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$", tid);
        Assert.True(Tid.IsValid(tid));
        Assert.Equal(time.GetUtcNow(), Tid.Timestamp(tid));
        Assert.Equal(7, Tid.Decode(tid).ClockId);
        Assert.Equal("2222222222222", Tid.Encode(0, 0));
    }

    [Fact]
    public void Tids_strictly_increase_within_one_microsecond_and_when_the_clock_goes_back()
    {
        var time = new ManualTimeProvider();
        var generator = new TidGenerator(time, clockId: 1);
        var tids = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            tids.Add(generator.Next());
        }
        time.Advance(TimeSpan.FromSeconds(-10));
        tids.Add(generator.Next());
        time.Advance(TimeSpan.FromSeconds(20));
        tids.Add(generator.Next());

        Assert.Equal(tids.Order(StringComparer.Ordinal), tids);
        Assert.Equal(tids.Count, tids.Distinct().Count());
    }

    [Fact]
    public async Task Concurrent_callers_never_get_the_same_tid()
    {
        var generator = new TidGenerator(new ManualTimeProvider(), clockId: 3);

        var batches = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Enumerable.Range(0, 2000).Select(_ => generator.Next()).ToList())));

        var all = batches.SelectMany(b => b).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Theory]
    [InlineData("3n2t7rntwjk2g", true)]
    [InlineData("3n2t7rntwjk2", false)]
    [InlineData("kn2t7rntwjk2g", false)]
    [InlineData("3n2t7rntwjk2G", false)]
    [InlineData("conf-2026-key", false)]
    public void Syntax_check_matches_the_spec(string value, bool valid) => Assert.Equal(valid, Tid.IsValid(value));
}
