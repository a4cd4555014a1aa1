using System.Text;

namespace LiveHub.Tests.Calendar;

/// <summary>
/// Ical.Net, the iCalendar library .NET users reach for, as a third reader of LiveHub's feeds (beside
/// ical.js and node-ical): what a .NET subscriber or importer would see.
/// </summary>
public static class IcalNetPeer
{
    public sealed record Item(string Uid, DateTimeOffset Start, DateTimeOffset End, string? Summary, string? Description, string? Status, int Sequence);

    public static IReadOnlyList<Item> Read(byte[] ics)
    {
        var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(ics);
        var calendar = Ical.Net.Calendar.Load(text) ?? throw new Xunit.Sdk.XunitException("Ical.Net read no calendar from the feed.");
        return [.. calendar.Events.Select(e => new Item(
            e.Uid!,
            Instant(e.Start ?? throw new Xunit.Sdk.XunitException($"Ical.Net: {e.Uid} has no start")),
            Instant(e.End ?? throw new Xunit.Sdk.XunitException($"Ical.Net: {e.Uid} has no end")),
            e.Summary,
            e.Description,
            e.Status,
            e.Sequence))];
    }

    private static DateTimeOffset Instant(Ical.Net.DataTypes.CalDateTime value) => new(DateTime.SpecifyKind(value.AsUtc, DateTimeKind.Utc));
}
