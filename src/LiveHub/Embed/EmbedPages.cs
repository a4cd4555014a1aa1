using LiveHub.Data;
using LiveHub.Embed.Pages;
using LiveHub.Live;
using LiveHub.Pages;
using LiveHub.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LiveHub.Embed;

public enum EmbedTheme
{
    /// <summary>Follows the reader's system setting (prefers-color-scheme).</summary>
    Auto,
    Light,
    Dark,
}

/// <summary>
/// The compact live view other sites frame: the newest posts, kept current over SignalR by live-embed.js, with a
/// link back to the full page. The only pages that may be framed (see <see cref="AllowFraming"/>).
/// </summary>
public static class EmbedPages
{
    public static void MapEmbedPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/embed/live/{slug}", (string slug, string? theme, HttpContext http, LiveHubDbContext db, LiveCoverage coverage, LiveQueries queries,
                IOptions<EmbedOptions> options, CancellationToken ct) => RenderAsync(slug, null, theme, http, db, coverage, queries, options.Value, ct))
            .WithMetadata(AllowFraming.Instance).ExcludeFromDescription();
        app.MapGet("/embed/live/{slug}/sessions/{sessionId:guid}", (string slug, Guid sessionId, string? theme, HttpContext http, LiveHubDbContext db, LiveCoverage coverage,
                LiveQueries queries, IOptions<EmbedOptions> options, CancellationToken ct) => RenderAsync(slug, sessionId, theme, http, db, coverage, queries, options.Value, ct))
            .WithMetadata(AllowFraming.Instance).ExcludeFromDescription();
    }

    public static string EmbedPath(string slug, Guid? sessionId) =>
        sessionId is { } id ? $"/embed/live/{Uri.EscapeDataString(slug)}/sessions/{id:D}" : $"/embed/live/{Uri.EscapeDataString(slug)}";

    internal static bool TryParseTheme(string? value, out EmbedTheme theme)
    {
        theme = EmbedTheme.Auto;
        return string.IsNullOrEmpty(value) || (Enum.TryParse(value, ignoreCase: true, out theme) && Enum.IsDefined(theme) && !char.IsDigit(value[0]));
    }

    private static async Task<IResult> RenderAsync(string slug, Guid? sessionId, string? theme, HttpContext http, LiveHubDbContext db, LiveCoverage coverage,
        LiveQueries queries, EmbedOptions options, CancellationToken cancellationToken)
    {
        if (!TryParseTheme(theme, out var chosenTheme))
        {
            var errors = new ValidationErrors();
            errors.Add("theme", "must be light, dark or auto.");
            return errors.ToProblem();
        }

        var resolved = await LivePages.ResolveAsync(slug, sessionId, db, coverage, cancellationToken);
        var changes = resolved is null ? null : await queries.ChangesAsync(resolved.Stream.Id, 0, cancellationToken, snapshot: true);
        if (resolved is null || changes is null)
        {
            return new RazorComponentResult<NotFoundPage>(new { Message = "There is no live coverage at '{0}'.", Subject = slug }) { StatusCode = StatusCodes.Status404NotFound };
        }

        var posts = changes.Posts.Where(p => !p.Deleted).OrderByDescending(p => p.Sequence).Take(options.Posts).ToList();
        var baseUrl = http.RequestServices.GetRequiredService<Calendar.PublicUrls>().BaseUrl(http.Request);
        return new RazorComponentResult<EmbedPage>(new
        {
            Stream = changes.Stream,
            Through = changes.Through,
            Posts = (IReadOnlyList<LivePostResponse>)posts,
            Theme = chosenTheme,
            FullPageUrl = baseUrl + changes.Stream.PageUrl,
            Limit = options.Posts,
        });
    }
}
