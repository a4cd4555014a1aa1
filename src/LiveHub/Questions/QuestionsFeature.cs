using System.Threading.RateLimiting;
using LiveHub.Data;
using LiveHub.Live;
using LiveHub.Questions.Pages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace LiveHub.Questions;

/// <summary>Audience questions: typed on the live page or replied on Bluesky, moderated by staff, shown when approved.</summary>
public static class QuestionsFeature
{
    public const string AskRateLimit = "questions-ask";

    public static IServiceCollection AddQuestions(this IServiceCollection services)
    {
        services.AddOptions<QuestionsOptions>().BindConfiguration(QuestionsOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.PollInterval >= TimeSpan.FromSeconds(5) && o.PollInterval <= TimeSpan.FromHours(1),
                "Questions:PollInterval must be between 00:00:05 and 01:00:00 (Bluesky's limits leave room for one read per stream every few seconds at most).")
            .Validate(o => o.MaxBackoff >= o.PollInterval && o.MaxBackoff <= TimeSpan.FromDays(1),
                "Questions:MaxBackoff must be at least Questions:PollInterval and at most one day.")
            .ValidateOnStart();
        services.AddScoped<QuestionQueries>();
        services.AddSingleton<BlueskyQuestionPoller>();
        services.AddHostedService<BlueskyQuestionPolling>();
        services.Configure<RateLimiterOptions>(o => o.AddPolicy(AskRateLimit, context =>
        {
            var limits = context.RequestServices.GetRequiredService<IOptions<QuestionsOptions>>().Value;
            return RateLimitPartition.GetFixedWindowLimiter(
                LiveConnectionLimits.AddressKey(context.Connection.RemoteIpAddress),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.WebQuestionsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
        }));
        return services;
    }

    public static IEndpointRouteBuilder MapQuestions(this IEndpointRouteBuilder app)
    {
        app.MapQuestionEndpoints();
        app.MapGet("/live/{slug}/questions", (string slug, HttpContext http, LiveHubDbContext db, LiveCoverage coverage, QuestionQueries queries, CancellationToken ct) =>
            BoardAsync(slug, null, db, coverage, queries, ct)).ExcludeFromDescription();
        app.MapGet("/live/{slug}/sessions/{sessionId:guid}/questions", (string slug, Guid sessionId, LiveHubDbContext db, LiveCoverage coverage, QuestionQueries queries, CancellationToken ct) =>
            BoardAsync(slug, sessionId, db, coverage, queries, ct)).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> BoardAsync(string slug, Guid? sessionId, LiveHubDbContext db, LiveCoverage coverage, QuestionQueries queries, CancellationToken cancellationToken)
    {
        var resolved = await LivePages.ResolveAsync(slug, sessionId, db, coverage, cancellationToken);
        var list = resolved is null ? null : await queries.PublicListAsync(resolved.Stream.Id, cancellationToken);
        if (resolved is null || list is null)
        {
            return new RazorComponentResult<LiveHub.Pages.NotFoundPage>(new { Message = "There is no live coverage at '{0}'.", Subject = slug }) { StatusCode = StatusCodes.Status404NotFound };
        }

        return new RazorComponentResult<QuestionsBoard>(new { Stream = LiveQueries.ToResponse(resolved.Stream), List = list });
    }

    /// <summary>The board's address for a stream's live page.</summary>
    public static string BoardUrl(LiveStreamResponse stream) => stream.PageUrl + "/questions";
}
