namespace LiveHub.Live;

/// <summary>An Atom entry that is not a live post (a published recap).</summary>
public sealed record LiveFeedEntry(Guid Id, string Title, string Html, string Url, DateTime PublishedAtUtc, DateTime UpdatedAtUtc, string? Author);

/// <summary>
/// What the live pages and feeds show of the recaps (implemented by the Recap feature): the link from a live page
/// to its published recap, and the recaps as entries of the Atom feeds.
/// </summary>
public interface ILiveRecaps
{
    /// <summary>The path of the stream's published recap, or null.</summary>
    Task<string?> PublishedPathAsync(Guid streamId, CancellationToken cancellationToken);

    /// <summary>Published recaps of the event (every session), or of one session.</summary>
    Task<IReadOnlyList<LiveFeedEntry>> FeedEntriesAsync(Guid eventId, Guid? sessionId, string baseUrl, CancellationToken cancellationToken);
}
