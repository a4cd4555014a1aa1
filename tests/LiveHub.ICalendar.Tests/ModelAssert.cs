namespace LiveHub.ICalendar.Tests;

internal static class ModelAssert
{
    public static void Equivalent(Calendar expected, Calendar actual)
    {
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.ProductId, actual.ProductId);
        Assert.Equal(expected.Scale, actual.Scale);
        Assert.Equal(expected.Method, actual.Method);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Description, actual.Description);
        Assert.Equal(expected.TimeZoneId, actual.TimeZoneId);
        Assert.Equal(expected.RefreshInterval, actual.RefreshInterval);
        Assert.Equal(expected.PublishedTtl, actual.PublishedTtl);
        Assert.Equal(expected.Source, actual.Source);
        Assert.Equal(expected.Url, actual.Url);
        Assert.Equal(expected.Color, actual.Color);
        Assert.Equal(expected.LastModified, actual.LastModified);
        Assert.Equal(expected.Properties.Select(p => p.ToString()), actual.Properties.Select(p => p.ToString()));
        Assert.Equal(expected.TimeZones.Count, actual.TimeZones.Count);
        foreach (var (e, a) in expected.TimeZones.Zip(actual.TimeZones))
        {
            Assert.Equal(e.TzId, a.TzId);
            Assert.Equal(e.Location, a.Location);
            Assert.Equal(
                e.Observances.Select(o => (o.Kind, o.Start, o.OffsetFrom, o.OffsetTo, o.RecurrenceRule?.ToString())),
                a.Observances.Select(o => (o.Kind, o.Start, o.OffsetFrom, o.OffsetTo, o.RecurrenceRule?.ToString())));
        }

        Assert.Equal(expected.Events.Count, actual.Events.Count);
        foreach (var (e, a) in expected.Events.Zip(actual.Events))
        {
            Equivalent(e, a);
        }
    }

    public static void Equivalent(CalendarEvent expected, CalendarEvent actual)
    {
        Assert.Equal(expected.Uid, actual.Uid);
        Assert.Equal(expected.DtStamp, actual.DtStamp);
        Assert.Equal(expected.Start, actual.Start);
        Assert.Equal(expected.End, actual.End);
        Assert.Equal(expected.Duration, actual.Duration);
        Assert.Equal(expected.Summary, actual.Summary);
        Assert.Equal(expected.Description, actual.Description);
        Assert.Equal(expected.Location, actual.Location);
        Assert.Equal(expected.Geo, actual.Geo);
        Assert.Equal(expected.Url, actual.Url);
        Assert.Equal(expected.Organizer, actual.Organizer);
        Assert.Equal(expected.Categories, actual.Categories);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.Sequence, actual.Sequence);
        Assert.Equal(expected.Created, actual.Created);
        Assert.Equal(expected.LastModified, actual.LastModified);
        Assert.Equal(expected.Transparency, actual.Transparency);
        Assert.Equal(expected.Class, actual.Class);
        Assert.Equal(expected.Conferences, actual.Conferences);
        Assert.Equal(expected.RecurrenceRules.Select(r => r.ToString()), actual.RecurrenceRules.Select(r => r.ToString()));
        Assert.Equal(expected.ExceptionDates, actual.ExceptionDates);
        Assert.Equal(expected.RecurrenceDates, actual.RecurrenceDates);
        Assert.Equal(expected.RecurrenceId, actual.RecurrenceId);
        Assert.Equal(expected.Properties.Select(p => p.ToString()), actual.Properties.Select(p => p.ToString()));
        Assert.Equal(expected.Components.Select(c => c.Name), actual.Components.Select(c => c.Name));
    }
}
