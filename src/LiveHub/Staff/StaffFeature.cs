using System.Threading.RateLimiting;
using LiveHub.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

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
            .Validate(o => !StaffNames.LooksLikeEmail(o.AdminDisplayName), "Bootstrap:AdminDisplayName is shown to the public and must not be an email address.")
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<SignInOptions>().BindConfiguration(SignInOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddAuthentication(CookieOrBearerScheme)
            .AddPolicyScheme(CookieOrBearerScheme, "Cookie or bearer token", o => o.ForwardDefaultSelector = context =>
                UsesBearerToken(context.Request) ? IdentityConstants.BearerScheme : IdentityConstants.ApplicationScheme)
            .AddBearerToken(IdentityConstants.BearerScheme)
            .AddIdentityCookies();
        services.AddOptions<BearerTokenOptions>(IdentityConstants.BearerScheme).Configure<IOptions<SignInOptions>>((o, signIn) =>
        {
            o.BearerTokenExpiration = signIn.Value.BearerTokenLifetime;
            o.RefreshTokenExpiration = signIn.Value.RefreshTokenLifetime;
        });

        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "livehub.staff";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.SlidingExpiration = true;
            o.LoginPath = StaffPages.SignIn;
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
            .AddUserManager<StaffUserManager>()
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
                var limits = context.RequestServices.GetRequiredService<IOptions<SignInOptions>>().Value;
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

                // Other features add their own policies (agendas, oEmbed): only the account endpoints are about signing in.
                var signIn = context.HttpContext.Request.Path.StartsWithSegments("/api/account", StringComparison.OrdinalIgnoreCase);
                await TypedResults.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: signIn ? "Too many sign-in attempts" : "Too many requests",
                    detail: "Wait a minute before trying again.").ExecuteAsync(context.HttpContext);
            };
        });

        services.AddSingleton<SignInThrottle>();
        services.AddSingleton(sp => new StaffAccountCache(sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<SignInOptions>>())
        {
            // On PostgreSQL another instance may change an account: no caching until the change listener is connected.
            CachingAllowed = !IsPostgres(sp),
        });
        services.AddScoped<IStaffAccountChanges>(sp => IsPostgres(sp)
            ? new PostgresStaffAccountChanges(sp.GetRequiredService<StaffAccountCache>(), sp.GetRequiredService<LiveHubDbContext>())
            : new LocalStaffAccountChanges(sp.GetRequiredService<StaffAccountCache>()));
        services.AddHostedService<PostgresStaffAccountListener>();
        services.AddHostedService<StaffBootstrapper>();
        return services;
    }

    private static bool IsPostgres(IServiceProvider services) =>
        services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider == DatabaseProvider.Postgres;

    /// <summary>True when the request authenticates with a bearer token (scripts) rather than the staff cookie.</summary>
    public static bool UsesBearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    public static IEndpointRouteBuilder MapStaff(this IEndpointRouteBuilder app)
    {
        app.MapAccountEndpoints();
        app.MapStaffAdminEndpoints();
        app.MapStaffPages();
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

    /// <summary>The first admin's public name on live posts (never the email address).</summary>
    [System.ComponentModel.DataAnnotations.MaxLength(StaffNames.MaxLength)]
    public string AdminDisplayName { get; set; } = StaffNames.DefaultDisplayName;
}

public sealed class SignInOptions
{
    public const string Section = "SignIn";

    /// <summary>Sign-in and token requests allowed per client address per minute.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10_000)]
    public int AttemptsPerMinute { get; set; } = 10;

    /// <summary>Failed sign-ins from one address, within <see cref="FailureWindow"/>, before each further attempt waits.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10_000)]
    public int FreeFailuresPerAddress { get; set; } = 10;

    /// <summary>Failed sign-ins for one account from one address before each further attempt from there waits.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10_000)]
    public int FreeFailuresPerAccountAndAddress { get; set; } = 5;

    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest wait imposed on one address; the doubling stops there.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Lifetime of a bearer token from <c>/api/account/token</c>; scripts renew it with the refresh token.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan BearerTokenLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Lifetime of a refresh token. Revocation (sign-out, password or role change...) ends it at once regardless.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// How long an account check may be served from memory. Changes made through LiveHub apply at once
    /// on every instance; this only bounds changes made to the database by hand.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan AccountCacheLifetime { get; set; } = TimeSpan.FromSeconds(30);
}
