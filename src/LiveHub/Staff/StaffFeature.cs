using System.Threading.RateLimiting;
using LiveHub.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;

namespace LiveHub.Staff;

public static class StaffFeature
{
    /// <summary>Cookie for the staff pages, bearer token for scripts; this scheme picks per request.</summary>
    public const string CookieOrBearerScheme = "CookieOrBearer";
    public const string SignInRateLimit = "sign-in";

    public static IServiceCollection AddStaff(this IServiceCollection services)
    {
        services.AddOptions<BootstrapAdminOptions>().BindConfiguration(BootstrapAdminOptions.Section)
            .Validate(o => string.IsNullOrEmpty(o.AdminEmail) == string.IsNullOrEmpty(o.AdminPassword),
                "Bootstrap:AdminEmail and Bootstrap:AdminPassword must be given together.")
            .ValidateOnStart();
        services.AddOptions<SignInOptions>().BindConfiguration(SignInOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddAuthentication(CookieOrBearerScheme)
            .AddPolicyScheme(CookieOrBearerScheme, "Cookie or bearer token", o => o.ForwardDefaultSelector = context =>
                UsesBearerToken(context.Request) ? IdentityConstants.BearerScheme : IdentityConstants.ApplicationScheme)
            .AddBearerToken(IdentityConstants.BearerScheme, o => o.BearerTokenExpiration = TimeSpan.FromHours(8))
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "livehub.staff";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.SlidingExpiration = true;
            o.LoginPath = "/staff/login";
            // The API answers with status codes; only page navigations get redirected to the sign-in page.
            o.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
        });

        services.AddIdentityCore<StaffUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 12;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireDigit = false;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<LiveHubDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddAuthorizationBuilder()
            .AddPolicy(StaffPolicies.Editor, p => p.RequireRole(StaffRoles.Editor, StaffRoles.Admin))
            .AddPolicy(StaffPolicies.Admin, p => p.RequireRole(StaffRoles.Admin));

        services.AddAntiforgery(o =>
        {
            o.HeaderName = AntiforgeryForCookies.HeaderName;
            o.Cookie.Name = "livehub.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            // The default would send it over plain http too; like the staff cookie, Secure whenever the request is https.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(SignInRateLimit, context =>
            {
                var limits = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<SignInOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.AttemptsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
            o.OnRejected = async (context, cancellationToken) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await TypedResults.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many sign-in attempts",
                    detail: "Wait a minute before trying again.").ExecuteAsync(context.HttpContext);
            };
        });

        services.AddHostedService<StaffBootstrapper>();
        return services;
    }

    /// <summary>True when the request authenticates with a bearer token (scripts) rather than the staff cookie.</summary>
    public static bool UsesBearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    public static IEndpointRouteBuilder MapStaff(this IEndpointRouteBuilder app)
    {
        app.MapAccountEndpoints();
        app.MapStaffAdminEndpoints();
        return app;
    }

    private static Task RedirectOrStatus(RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        // The Hangfire dashboard too: its scripts call it, and the authorization matrix holds it to the API's answers.
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/hubs")
            || context.Request.Path.StartsWithSegments(CrossPosting.CrossPostingFeature.DashboardPath))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}

public sealed class BootstrapAdminOptions
{
    public const string Section = "Bootstrap";

    /// <summary>If set (with <see cref="AdminPassword"/>) and no admin exists yet, this admin is created on start.</summary>
    public string? AdminEmail { get; set; }
    public string? AdminPassword { get; set; }
}

public sealed class SignInOptions
{
    public const string Section = "SignIn";

    /// <summary>Sign-in and token requests allowed per client address per minute.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10_000)]
    public int AttemptsPerMinute { get; set; } = 10;
}
