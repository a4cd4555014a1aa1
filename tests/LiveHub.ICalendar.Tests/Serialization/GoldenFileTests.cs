using System.Runtime.CompilerServices;
using LiveHub.ICalendar.Serialization;

namespace LiveHub.ICalendar.Tests.Serialization;

public sealed class GoldenFileTests
{
    [Fact]
    public void LondonMeetupsFeedMatchesGoldenBytes() =>
        AssertGolden("london-meetups.ics", new CalendarSerializer().SerializeToUtf8Bytes(SampleFeeds.LondonMeetups()));

    /// <summary>Set UPDATE_GOLDEN=1 to rewrite a golden file after checking the change by eye.</summary>
    internal static void AssertGolden(string name, byte[] actual, [CallerFilePath] string callerPath = "")
    {
        var sourcePath = Path.Combine(Path.GetDirectoryName(callerPath)!, "..", "Golden", name);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllBytes(sourcePath, actual);
        }

        var expected = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Golden", name));
        Assert.Equal(System.Text.Encoding.UTF8.GetString(expected), System.Text.Encoding.UTF8.GetString(actual));
        Assert.Equal(expected, actual);
    }
}
