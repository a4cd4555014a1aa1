using System.Security.Cryptography;
using System.Text.Json;
using LiveHub.Data;
using LiveHub.Events;
using LiveHub.Problems;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Live;

public sealed record ValidLivePost(LivePostKind Kind, LivePostFormat Format, string Body, Guid? SpeakerId, string? LinkUrl, string? BodyCy = null);

public static class LivePostValidation
{
    /// <param name="existing">The post being edited, if any: a start/end marker keeps its kind.</param>
    public static async Task<ValidLivePost?> ValidateAsync(LivePostRequest request, LiveHubDbContext db, ValidationErrors errors, CancellationToken cancellationToken, LivePost? existing = null)
    {
        var isMarker = existing?.Kind is LivePostKind.SessionStarted or LivePostKind.SessionEnded;
        var kind = request.Kind ?? (isMarker ? existing!.Kind : LivePostKind.Update);
        if (isMarker && kind != existing!.Kind)
        {
            errors.Add("kind", "a session started/ended marker keeps its kind; edit its text only.");
        }
        else if (!isMarker && kind is LivePostKind.SessionStarted or LivePostKind.SessionEnded)
        {
            errors.Add("kind", "session started/ended markers are posted by starting or ending coverage.");
        }

        var format = request.Format ?? LivePostFormat.PlainText;
        var body = EventValidation.CleanMultiline(request.Body);
        if (body is null && (request.ImageIds is null || request.ImageIds.Count == 0))
        {
            errors.Add("body", "is required (a post needs text or at least one image).");
        }

        errors.MaxLength("body", body, LiveLimits.Body);
        if (body is not null && format == LivePostFormat.Markdown && !PostRenderer.HasOnlySafeLinks(body, out var unsafeUrl))
        {
            errors.Add("body", $"links must be http://, https:// or mailto: ('{unsafeUrl}' is not).");
        }

        var bodyCy = EventValidation.CleanMultiline(request.BodyCy);
        errors.MaxLength("bodyCy", bodyCy, LiveLimits.Body);
        if (bodyCy is not null && body is null)
        {
            errors.Add("bodyCy", "needs the English text in body as well (a bilingual update has both).");
        }

        if (bodyCy is not null && format == LivePostFormat.Markdown && !PostRenderer.HasOnlySafeLinks(bodyCy, out var unsafeWelshUrl))
        {
            errors.Add("bodyCy", $"links must be http://, https:// or mailto: ('{unsafeWelshUrl}' is not).");
        }

        var linkUrl = EventValidation.Clean(request.LinkUrl);
        errors.HttpUrl("linkUrl", linkUrl, EventLimits.Url);

        if (kind == LivePostKind.Quote && request.SpeakerId is null)
        {
            errors.Add("speakerId", "a quote needs the speaker who said it.");
        }

        if (request.SpeakerId is { } speakerId && !await db.Speakers.AnyAsync(s => s.Id == speakerId, cancellationToken))
        {
            errors.Add("speakerId", $"no speaker has the id {speakerId}.");
        }

        return errors.HasErrors ? null : new ValidLivePost(kind, format, body ?? "", request.SpeakerId, linkUrl, bodyCy);
    }

    /// <summary>
    /// SHA-256 (lower-case hex) of a post request in a canonical form: everything that decides the post (kind, format,
    /// text, speaker, link, images in order), with the defaults and the cleaning validation applies, so that two
    /// requests that would store the same post have the same fingerprint and any other difference changes it.
    /// </summary>
    public static string Fingerprint(LivePostRequest request)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteStringValue("live-post/1");
            json.WriteStringValue((request.Kind ?? LivePostKind.Update).ToString());
            json.WriteStringValue((request.Format ?? LivePostFormat.PlainText).ToString());
            json.WriteStringValue(EventValidation.CleanMultiline(request.Body));
            json.WriteStringValue(EventValidation.CleanMultiline(request.BodyCy));
            json.WriteStringValue(request.SpeakerId?.ToString("D"));
            json.WriteStringValue(EventValidation.Clean(request.LinkUrl));
            json.WriteStartArray();
            foreach (var id in request.ImageIds ?? [])
            {
                json.WriteStringValue(id.ToString("D"));
            }

            json.WriteEndArray();
            json.WriteEndArray();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }
}
