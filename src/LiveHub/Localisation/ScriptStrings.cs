using System.Text.Json;
using Microsoft.Extensions.Localization;

namespace LiveHub.Localisation;

/// <summary>
/// The text the browser scripts show, localised on the server and written into every page as a JSON block
/// (<c>&lt;script type="application/json" id="livehub-strings"&gt;</c>) that <c>/js/strings.js</c> reads. The scripts
/// use the keys; <c>{name}</c> placeholders are filled in by the script.
/// </summary>
public static class ScriptStrings
{
    public static readonly IReadOnlyDictionary<string, string> English = new Dictionary<string, string>
    {
        ["agendaAdd"] = "Add to my agenda",
        ["agendaRemove"] = "Remove from my agenda",
        ["agendaRemoveNamed"] = "Remove “{title}” from my agenda",
        ["agendaRemoved"] = "Removed “{title}” from your agenda.",
        ["agendaAdded"] = "Added “{title}” to your agenda. See it, and its calendar feed, under My agenda.",
        ["agendaChangeFailed"] = "Your agenda could not be changed: {reason}",
        ["agendaServerAnswered"] = "The server answered {status}.",
        ["agendaNotALink"] = "That is not an agenda link: paste the manage link or the feed address exactly as you got it.",
        ["agendaLoaded"] = "Agenda loaded.",
        ["agendaConfirmReplace"] = "Replace your private link? Calendars subscribed to the old link stop updating until you subscribe again.",
        ["agendaReplaced"] = "You have a new private link. The old one no longer works: subscribe again with the new one.",
        ["agendaConfirmDelete"] = "Delete your agenda? Its calendar feed stops working.",
        ["agendaDeleted"] = "Your agenda was deleted.",
        ["agendaGone"] = "This agenda no longer exists: it was deleted, or its link was replaced on another device.",
        ["agendaLoadFailed"] = "Your agenda could not be loaded: {reason}",
        ["agendaFailed"] = "That did not work: {reason}",
        ["agendaCalendarName"] = "My LiveHub agenda",
        ["removedByOrganisers"] = "Removed by the organisers",
        ["cancelled"] = "Cancelled",
        ["postponed"] = "Postponed",
        ["kindQuote"] = "Quote",
        ["kindKeyMoment"] = "Key moment",
        ["kindQuestions"] = "Questions",
        ["kindStarted"] = "Started",
        ["kindEnded"] = "Ended",
        ["edited"] = "edited",
        ["editedAt"] = "Edited {time}",
        ["linkCopied"] = "Link copied",
        ["copyFailed"] = "Could not copy",
        ["copyLink"] = "Copy link",
        ["share"] = "Share…",
        ["postToBluesky"] = "Post to Bluesky",
        ["stateLive"] = "Live now",
        ["stateEnded"] = "Coverage has ended",
        ["stateUpcoming"] = "Coverage has not started yet",
        ["connecting"] = "Connecting…",
        ["connected"] = "Live",
        ["reconnecting"] = "Reconnecting…",
        ["offline"] = "Offline: updates will resume when you are back online",
        ["closed"] = "This coverage is no longer available",
        ["offlineShort"] = "Offline",
        ["timesInReaderZone"] = "Times are in your local time: {zone}.",
        ["timesInVenueZone"] = "Times are in venue time: {zone}.",
        ["showVenueTime"] = "Show venue time",
        ["showLocalTime"] = "Show my local time",
        ["noUpdates"] = "No updates yet.",
        ["oneNewUpdate"] = "1 new update",
        ["newUpdates"] = "{count} new updates",
        ["paused"] = "(paused)",
        ["pausedShowOne"] = "Paused: show 1 new update",
        ["pausedShowMany"] = "Paused: show {count} new updates",
        ["theSession"] = "the session",
        ["yourTime"] = "your time: {zone}",
        ["venueTimeNamed"] = "venue time: {zone}",
        ["venueTime"] = "venue time",
        ["timesInYourZone"] = "Times are in your time zone: {zone}.",
        ["timesIn"] = "Times are in {description}.",
        ["questionAnAttendee"] = "an attendee",
        ["questionAlsoAskedOne"] = "also asked by 1 more",
        ["questionAlsoAskedMany"] = "also asked by {count} more",
        ["questionAnswered"] = "Answered",
        ["askSending"] = "Sending…",
        ["askThanks"] = "Thank you: your question will appear once a moderator has approved it.",
        ["askTooMany"] = "You have sent several questions just now. Please wait a minute before sending another.",
        ["askClosed"] = "Questions can be sent only while the coverage is live.",
        ["askBusy"] = "The moderators have many questions waiting; please try again in a few minutes.",
        ["askNotAccepted"] = "Your question {reason}",
        ["askFailed"] = "The question could not be sent.",
        ["askOffline"] = "The question could not be sent: you seem to be offline.",
    };

    public static string Json(IStringLocalizer<Strings> localizer) =>
        JsonSerializer.Serialize(English.ToDictionary(pair => pair.Key, pair => localizer[pair.Value].Value));
}
