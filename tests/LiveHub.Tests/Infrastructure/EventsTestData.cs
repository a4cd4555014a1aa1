namespace LiveHub.Tests.Infrastructure;

public static class EventsTestData
{
    public static object Event(string slug, string startsAt = "2030-06-01T09:00", string endsAt = "2030-06-01T17:00", bool published = true) => new
    {
        slug,
        title = $"Event {slug}",
        startsAt,
        endsAt,
        timeZone = "Europe/London",
        venue = new { name = "The Exchange" },
        isPublished = published,
    };
}
