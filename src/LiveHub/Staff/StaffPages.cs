using LiveHub.Staff.Pages;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveHub.Staff;

/// <summary>One link of the staff navigation: its path, its English label (a key of Strings.resx), admins only or not.</summary>
public sealed record StaffNavLink(string Path, string Label, bool AdminOnly = false);

/// <summary>
/// The staff console's pages (Staff/Pages), rendered on the server in the reader's language. They hold no data: their
/// scripts call the API, which checks who is calling, and send a signed-out user to the sign-in page. So the pages are
/// public, as the static files they replace were. The old addresses (/staff/speakers.html...) redirect permanently.
/// </summary>
public static class StaffPages
{
    public const string Home = "/staff/";
    public const string SignIn = "/staff/login";

    public static readonly IReadOnlyList<StaffNavLink> Navigation =
    [
        new(Home, "Events"),
        new("/staff/speakers", "Speakers"),
        new("/staff/venues", "Venues"),
        new("/staff/import", "Import"),
        new("/staff/status", "Status"),
        new("/staff/questions", "Questions"),
        new("/staff/accounts", "Staff accounts", AdminOnly: true),
        new("/staff/settings", "Bluesky", AdminOnly: true),
        new("/staff/jobs", "Jobs", AdminOnly: true),
        new(CrossPosting.CrossPostingFeature.DashboardPath, "Hangfire", AdminOnly: true),
    ];

    /// <summary>The static pages' old names (bookmarked, linked from old scripts) and where each page is now.</summary>
    private static readonly Dictionary<string, string> OldPages = new(StringComparer.OrdinalIgnoreCase)
    {
        ["index"] = Home,
        ["event"] = "/staff/event",
        ["speakers"] = "/staff/speakers",
        ["venues"] = "/staff/venues",
        ["import"] = "/staff/import",
        ["status"] = "/staff/status",
        ["questions"] = "/staff/questions",
        ["accounts"] = "/staff/accounts",
        ["settings"] = "/staff/settings",
        ["jobs"] = "/staff/jobs",
        ["login"] = SignIn,
        // The console and the recap editor always needed an event in the path (/staff/live/{slug}): the list has them.
        ["live"] = Home,
        ["recap"] = Home,
    };

    public static IEndpointRouteBuilder MapStaffPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/staff").ExcludeFromDescription()
            .AddEndpointFilter(async (context, next) =>
            {
                // The pages differ by language (Vary, set by the localisation) and say nothing worth keeping.
                context.HttpContext.Response.Headers.CacheControl = "no-cache";
                return await next(context);
            });
        pages.MapGet("/", () => new RazorComponentResult<StaffEventsPage>());
        pages.MapGet("/event", () => new RazorComponentResult<StaffEventPage>());
        pages.MapGet("/speakers", () => new RazorComponentResult<StaffSpeakersPage>());
        pages.MapGet("/venues", () => new RazorComponentResult<StaffVenuesPage>());
        pages.MapGet("/import", () => new RazorComponentResult<StaffImportPage>());
        pages.MapGet("/status", () => new RazorComponentResult<StaffStatusPage>());
        pages.MapGet("/questions", () => new RazorComponentResult<StaffQuestionsPage>());
        pages.MapGet("/accounts", () => new RazorComponentResult<StaffAccountsPage>());
        pages.MapGet("/settings", () => new RazorComponentResult<StaffSettingsPage>());
        pages.MapGet("/jobs", () => new RazorComponentResult<StaffJobsPage>());
        pages.MapGet("/login", () => new RazorComponentResult<StaffSignInPage>());
        // The live console and the recap editor read the event's slug from their address.
        pages.MapGet("/live/{slug}", () => new RazorComponentResult<StaffLivePage>());
        pages.MapGet("/recap/{slug}", () => new RazorComponentResult<StaffRecapPage>());

        app.MapGet("/staff/{page}.html", Results<RedirectHttpResult, NotFound> (string page, HttpRequest request) =>
            OldPages.TryGetValue(page, out var path)
                ? TypedResults.Redirect(path + request.QueryString, permanent: true)
                : TypedResults.NotFound()).ExcludeFromDescription();
        return app;
    }
}
