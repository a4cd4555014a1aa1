using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace LiveHub.Pages;

/// <summary>
/// Empty error responses get a body: a browser asking for a page at an unknown address gets <see cref="NotFoundPage"/>
/// in the site's style; everything else (API clients, SignalR, scripts, images, stylesheets) keeps problem details.
/// </summary>
public static class NotFoundPages
{
    private static readonly string[] MachinePrefixes = ["/api", "/hubs", "/healthz", "/openapi"];

    public static IApplicationBuilder UseLiveHubStatusCodePages(this IApplicationBuilder app)
    {
        // The default handler writes problem details through IProblemDetailsService (plain text without it).
        var problemDetails = new StatusCodePagesOptions().HandleAsync;
        return app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (http.Response.StatusCode == StatusCodes.Status404NotFound && WantsPage(http.Request))
            {
                await new RazorComponentResult<NotFoundPage>() { StatusCode = StatusCodes.Status404NotFound }.ExecuteAsync(http);
                return;
            }

            await problemDetails(context);
        });
    }

    /// <summary>A GET or HEAD outside the machine endpoints whose Accept header ranks HTML at least as high as JSON.</summary>
    internal static bool WantsPage(HttpRequest request)
    {
        if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            || MachinePrefixes.Any(prefix => request.Path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted))
        {
            return false;
        }

        double html = 0, json = 0;
        foreach (var type in accepted)
        {
            var quality = type.Quality ?? 1;
            if (type.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) || type.MediaType.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase))
            {
                html = Math.Max(html, quality);
            }
            else if (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.MediaType.Equals("application/problem+json", StringComparison.OrdinalIgnoreCase))
            {
                json = Math.Max(json, quality);
            }
        }

        return html > 0 && html >= json;
    }
}
