using System.Globalization;
using System.Text;
using System.Xml;
using LiveHub.Calendar;
using LiveHub.Data;
using LiveHub.Events;
using LiveHub.Venues;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Discovery;

/// <summary>/sitemap.xml (every public page search engines should know) and /robots.txt (keeping them out of staff areas).</summary>
public static class DiscoveryFeature
{
    public static IEndpointRouteBuilder MapDiscovery(this IEndpointRouteBuilder app)
    {
        app.MapGet("/robots.txt", RobotsTxt).ExcludeFromDescription();
        app.MapGet("/sitemap.xml", SitemapAsync).ExcludeFromDescription();
        return app;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult RobotsTxt(HttpContext http, PublicUrls urls) => TypedResults.Text(
        $"""
        User-agent: *
        Disallow: /staff/
        Disallow: /api/
        Disallow: /hubs/

        Sitemap: {urls.BaseUrl(http.Request)}/sitemap.xml

        """, "text/plain", Encoding.UTF8);

    private static async Task<Microsoft.AspNetCore.Http.HttpResults.FileContentHttpResult> SitemapAsync(HttpContext http, PublicUrls urls, LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var events = await db.Events.AsNoTracking().Where(e => e.IsPublished)
            .Select(e => new { e.Slug, e.UpdatedAtUtc }).OrderBy(e => e.Slug).ToListAsync(cancellationToken);
        var sessions = await db.Sessions.AsNoTracking().Where(s => s.Event!.IsPublished)
            .Select(s => new { s.Event!.Slug, s.Id, s.UpdatedAtUtc }).OrderBy(s => s.Slug).ThenBy(s => s.Id).ToListAsync(cancellationToken);
        var speakers = await SpeakerEndpoints.Public(db).AsNoTracking().Select(s => new { s.Slug, s.UpdatedAtUtc }).OrderBy(s => s.Slug).ToListAsync(cancellationToken);
        var venues = await VenueEndpoints.Public(db).AsNoTracking().Select(v => new { v.Slug, v.UpdatedAtUtc }).OrderBy(v => v.Slug).ToListAsync(cancellationToken);

        var baseUrl = urls.BaseUrl(http.Request);
        const string ns = "http://www.sitemaps.org/schemas/sitemap/0.9";
        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), Async = true }))
        {
            xml.WriteStartElement("urlset", ns);
            void Url(string path, DateTime? modified)
            {
                xml.WriteStartElement("url", ns);
                xml.WriteElementString("loc", ns, baseUrl + path);
                if (modified is { } m)
                {
                    xml.WriteElementString("lastmod", ns, DateTime.SpecifyKind(m, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                }

                xml.WriteEndElement();
            }

            Url("/events", null);
            Url("/speakers", null);
            Url("/venues", null);
            events.ForEach(e => Url($"/events/{e.Slug}", e.UpdatedAtUtc));
            sessions.ForEach(s => Url(EventStructuredData.SessionPageUrl(s.Slug, s.Id), s.UpdatedAtUtc));
            speakers.ForEach(s => Url($"/speakers/{s.Slug}", s.UpdatedAtUtc));
            venues.ForEach(v => Url($"/venues/{v.Slug}", v.UpdatedAtUtc));
            xml.WriteEndElement();
        }

        return TypedResults.Bytes(buffer.ToArray(), "application/xml; charset=utf-8");
    }
}
