using System.ComponentModel.DataAnnotations;

namespace LiveHub.Questions;

public sealed class QuestionsOptions
{
    public const string Section = "Questions";

    /// <summary>Audience questions on live pages, the moderation queue and the board. Off until switched on.</summary>
    public bool Enabled { get; set; }

    /// <summary>Also read replies to each live session's Bluesky thread (needs cross-posting connected). Only while <see cref="Enabled"/>.</summary>
    public bool PollBluesky { get; set; } = true;

    /// <summary>How often each live, cross-posted stream's thread is read.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between reads after failures (doubling from <see cref="PollInterval"/>); a 429's reset time is always honoured.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Questions one client address (IPv6 per /64) may send from live pages per minute.</summary>
    [Range(1, 10_000)]
    public int WebQuestionsPerMinute { get; set; } = 3;

    /// <summary>Pending questions one stream may hold; beyond it new web questions are refused until moderators catch up.</summary>
    [Range(1, 100_000)]
    public int MaxPendingPerStream { get; set; } = 500;
}
