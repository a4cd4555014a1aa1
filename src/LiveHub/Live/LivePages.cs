using System.Text;
using System.Text.Json;
using System.Xml;
using LiveHub.Data;
using LiveHub.Events;
using LiveHub.Live.Pages;
using LiveHub.Pages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LiveHub.Live;

/// <summary>
/// The attendee page, rendered on the server so it is complete without JavaScript (and crawlable),
/// with schema.org LiveBlogPosting data; live.js then keeps it current over SignalR. Plus an Atom
/// feed per stream that carries edits (updated) and deletions (tombstones).
/// </summary>
public static class LivePages
{
    public static void MapLivePages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/live/{slug}", (string slug, HttpContext http, LiveHubDbContext db, LiveCoverage coverage, LiveQueries queries, CancellationToken ct) =>
            RenderAsync(slug, null, http, db, coverage, queries, ct)).ExcludeFromDescription();
        app.MapGet("/live/{slug}/sessions/{sessionId:guid}", (string slug, Guid sessionId, HttpContext http, LiveHubDbContext db, LiveCoverage coverage, LiveQueries queries, CancellationToken ct) =>
            RenderAsync(slug, sessionId, http, db, coverage, queries, ct)).ExcludeFromDescription();
        app.MapGet("/live/{slug}/feed.atom", (string slug, HttpContext http, LiveHubDbContext db, LiveCoverage coverage, LiveQueries queries, CancellationToken ct) =>
            AtomAsync(slug, null, http, db, coverage, queries, ct)).ExcludeFromDescription();
        app.MapGet("/live/{slug}/sessions/{sessionId:guid}/feed.atom", (string slug, Guid sessionId, HttpContext http, LiveHubDbContext db, LiveCoverage coverage, LiveQueries queries, CancellationToken ct) =>
            AtomAsync(slug, sessionId, http, db, coverage, queries, ct)).ExcludeFromDescription();
    }

    internal sealed record Resolved(Event Event, LiveStream Stream, List<LiveStream> All);

    /// <summary>The stream a page shows: the one asked for, else a live session, else whatever has posts.</summary>
    internal static async Task<Resolved?> ResolveAsync(string slug, Guid? sessionId, LiveHubDbContext db, LiveCoverage coverage, CancellationToken cancellationToken)
    {
        var e = await db.Events.Include(x => x.Sessions).FirstOrDefaultAsync(x => x.Slug == slug && x.IsPublished, cancellationToken);
        if (e is null || (sessionId is { } id && e.Sessions.All(s => s.Id != id)))
        {
            return null;
        }

        var streams = new List<LiveStream>();
        foreach (var session in e.Sessions.OrderBy(s => s.StartsAtUtc).Prepend(null))
        {
            var stream = await coverage.GetOrCreateStreamAsync(e, session, cancellationToken);
            stream.Event = e;
            stream.Session = session;
            streams.Add(stream);
        }

        var chosen = sessionId is { } wanted
            ? streams.First(s => s.SessionId == wanted)
            : streams.FirstOrDefault(s => s.State == CoverageState.Live && s.SessionId is not null)
              ?? streams.FirstOrDefault(s => s.SessionId is null && s.LastSequence > 0)
              ?? streams.Where(s => s.LastSequence > 0).OrderByDescending(s => s.EndedAtUtc ?? s.StartedAtUtc).FirstOrDefault()
              ?? streams[0];
        return new Resolved(e, chosen, streams);
    }

    private static async Task<RazorComponentResult> RenderAsync(string slug, Guid? sessionId, HttpContext http, LiveHubDbContext db, LiveCoverage coverage, LiveQueries queries, CancellationToken cancellationToken)
    {
        var resolved = await ResolveAsync(slug, sessionId, db, coverage, cancellationToken);
        if (resolved is null)
        {
            return new RazorComponentResult<NotFoundPage>(new { Message = "There is no live coverage at '{0}'.", Subject = slug }) { StatusCode = StatusCodes.Status404NotFound };
        }

        var stream = resolved.Stream;
        var posts = (await queries.AllPostsAsync(stream.Id, includeDeleted: false, cancellationToken))
            .Select(p => LiveQueries.ToResponse(p, stream)).Reverse().ToList();
        var response = LiveQueries.ToResponse(stream);
        var recaps = http.RequestServices.GetService<ILiveRecaps>();
        var questions = http.RequestServices.GetRequiredService<IOptions<Questions.QuestionsOptions>>().Value.Enabled
            ? await http.RequestServices.GetRequiredService<Questions.QuestionQueries>().PublicListAsync(stream.Id, cancellationToken)
            : null;
        return new RazorComponentResult<LivePage>(new
        {
            RecapPath = recaps is null ? null : await recaps.PublishedPathAsync(stream.Id, cancellationToken),
            Questions = questions,
            Stream = response,
            Streams = (IReadOnlyList<LiveStreamResponse>)[.. resolved.All.Select(LiveQueries.ToResponse)],
            Posts = (IReadOnlyList<LivePostResponse>)posts,
            JsonLd = JsonLd(resolved.Event, response, posts, BaseUrl(http)),
        });
    }

    private static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}";

    /// <summary>schema.org LiveBlogPosting; URLs are absolute, as schema.org expects.</summary>
    internal static string JsonLd(Event e, LiveStreamResponse stream, IReadOnlyList<LivePostResponse> posts, string baseUrl)
    {
        var document = new Dictionary<string, object?>
        {
            ["@context"] = "https://schema.org",
            ["@type"] = "LiveBlogPosting",
            ["headline"] = $"Live: {stream.Title}",
            ["url"] = baseUrl + stream.PageUrl,
            ["coverageStartTime"] = stream.CoverageStartsAt,
            ["coverageEndTime"] = stream.CoverageEndsAt,
            ["about"] = new Dictionary<string, object?>
            {
                ["@type"] = "Event",
                ["name"] = e.Title,
                ["startDate"] = new DateTimeOffset(e.StartsAtUtc, TimeSpan.Zero),
                ["endDate"] = new DateTimeOffset(e.EndsAtUtc, TimeSpan.Zero),
                ["location"] = e.Venue is null
                    ? new Dictionary<string, object?> { ["@type"] = "VirtualLocation", ["url"] = e.OnlineUrl }
                    : new Dictionary<string, object?> { ["@type"] = "Place", ["name"] = e.Venue.Name, ["address"] = e.Venue.Address },
            },
            ["liveBlogUpdate"] = posts.Select(p => new Dictionary<string, object?>
            {
                ["@type"] = "BlogPosting",
                ["headline"] = Headline(p.Body ?? ""),
                ["articleBody"] = p.Body,
                ["datePublished"] = p.CreatedAt,
                ["dateModified"] = p.EditedAt ?? p.CreatedAt,
                ["url"] = baseUrl + p.Permalink,
            }).ToList(),
        };
        // The default encoder escapes <, > and &, so staff text can never close the script element.
        return JsonSerializer.Serialize(document, JsonSerializerOptions.Web);
    }

    private static string Headline(string body)
    {
        var firstLine = body.Split('\n', 2)[0];
        if (firstLine.Length <= 110)
        {
            return firstLine;
        }

        // Never cut between the two halves of a surrogate pair (an emoji): a lone half is not text.
        var cut = char.IsHighSurrogate(firstLine[108]) ? 108 : 109;
        return string.Concat(firstLine.AsSpan(0, cut), "…");
    }

    private static async Task<IResult> AtomAsync(string slug, Guid? sessionId, HttpContext http, LiveHubDbContext db, LiveCoverage coverage, LiveQueries queries, CancellationToken cancellationToken)
    {
        var resolved = await ResolveAsync(slug, sessionId, db, coverage, cancellationToken);
        if (resolved is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Live stream not found", detail: $"There is no live coverage at '{slug}'.");
        }

        var stream = resolved.Stream;
        var posts = await queries.AllPostsAsync(stream.Id, includeDeleted: true, cancellationToken);
        var baseUrl = BaseUrl(http);
        // The event's feed carries every session's published recap; a session's feed its own.
        var recaps = http.RequestServices.GetService<ILiveRecaps>() is { } source
            ? await source.FeedEntriesAsync(resolved.Event.Id, sessionId, baseUrl, cancellationToken)
            : [];
        return TypedResults.Bytes(Atom(resolved.Event, stream, posts, baseUrl, recaps), "application/atom+xml; charset=utf-8");
    }

    internal static byte[] Atom(Event e, LiveStream stream, IReadOnlyList<LivePost> posts, string baseUrl, IReadOnlyList<LiveFeedEntry>? extra = null)
    {
        extra ??= [];
        const string atom = "http://www.w3.org/2005/Atom";
        const string tombstones = "http://purl.org/atompub/tombstones/1.0";
        var pageUrl = baseUrl + LiveQueries.PageUrl(stream);
        var updated = posts.Select(p => p.DeletedAtUtc ?? p.EditedAtUtc ?? p.CreatedAtUtc).Concat(extra.Select(x => x.UpdatedAtUtc))
            .DefaultIfEmpty(stream.CreatedAtUtc).Max();
        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false) }))
        {
            xml.WriteStartElement("feed", atom);
            xml.WriteAttributeString("xmlns", "at", null, tombstones);
            xml.WriteElementString("id", atom, $"urn:uuid:{stream.Id}");
            xml.WriteElementString("title", atom, XmlText($"Live: {LiveQueries.StreamTitle(stream)} ({e.Title})"));
            xml.WriteElementString("updated", atom, Rfc3339(updated));
            WriteLink(xml, atom, "alternate", pageUrl, "text/html");
            WriteLink(xml, atom, "self", pageUrl + "/feed.atom", "application/atom+xml");
            foreach (var entry in extra)
            {
                xml.WriteStartElement("entry", atom);
                xml.WriteElementString("id", atom, $"urn:uuid:{entry.Id}");
                xml.WriteElementString("title", atom, XmlText(entry.Title));
                xml.WriteElementString("published", atom, Rfc3339(entry.PublishedAtUtc));
                xml.WriteElementString("updated", atom, Rfc3339(entry.UpdatedAtUtc));
                if (entry.Author is { } entryAuthor)
                {
                    xml.WriteStartElement("author", atom);
                    xml.WriteElementString("name", atom, XmlText(entryAuthor));
                    xml.WriteEndElement();
                }

                WriteLink(xml, atom, "alternate", entry.Url, "text/html");
                xml.WriteStartElement("content", atom);
                xml.WriteAttributeString("type", "html");
                xml.WriteString(XmlText(entry.Html));
                xml.WriteEndElement();
                xml.WriteEndElement();
            }

            foreach (var post in posts.OrderByDescending(p => p.Sequence))
            {
                var permalink = $"{pageUrl}#post-{post.Sequence}";
                if (post.DeletedAtUtc is { } deletedAt)
                {
                    xml.WriteStartElement("at", "deleted-entry", tombstones);
                    xml.WriteAttributeString("ref", $"urn:uuid:{post.Id}");
                    xml.WriteAttributeString("when", Rfc3339(deletedAt));
                    WriteLink(xml, atom, "alternate", permalink, "text/html");
                    xml.WriteEndElement();
                    continue;
                }

                xml.WriteStartElement("entry", atom);
                xml.WriteElementString("id", atom, $"urn:uuid:{post.Id}");
                xml.WriteElementString("title", atom, XmlText(Headline(post.Body)));
                xml.WriteElementString("published", atom, Rfc3339(post.CreatedAtUtc));
                xml.WriteElementString("updated", atom, Rfc3339(post.EditedAtUtc ?? post.CreatedAtUtc));
                if ((e.LiveByline ?? post.AuthorName) is { } author)
                {
                    xml.WriteStartElement("author", atom);
                    xml.WriteElementString("name", atom, XmlText(author));
                    xml.WriteEndElement();
                }

                WriteLink(xml, atom, "alternate", permalink, "text/html");
                xml.WriteStartElement("content", atom);
                xml.WriteAttributeString("type", "html");
                xml.WriteString(XmlText(post.BodyHtml));
                xml.WriteEndElement();
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Replaces what XML 1.0 cannot carry (controls other than tab and newline, U+FFFE/U+FFFF, lone surrogates) with
    /// U+FFFD: the XmlWriter would throw on them, and one such character in a post would break the whole feed.
    /// </summary>
    internal static string XmlText(string text)
    {
        StringBuilder? cleaned = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (XmlConvert.IsXmlChar(c))
            {
                cleaned?.Append(c);
            }
            else if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], c))
            {
                cleaned?.Append(c).Append(text[i + 1]);
                i++;
            }
            else
            {
                cleaned ??= new StringBuilder(text.Length).Append(text, 0, i);
                cleaned.Append('\uFFFD');
            }
        }

        return cleaned?.ToString() ?? text;
    }

    private static void WriteLink(XmlWriter xml, string ns, string rel, string href, string type)
    {
        xml.WriteStartElement("link", ns);
        xml.WriteAttributeString("rel", rel);
        xml.WriteAttributeString("href", href);
        xml.WriteAttributeString("type", type);
        xml.WriteEndElement();
    }

    private static string Rfc3339(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
