namespace LiveHub;

public static class SecurityHeaders
{
    // No inline script or style anywhere: pages load /js and /css files only.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; connect-src 'self'; " +
        "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    // Hangfire's dashboard (admins only) writes inline scripts and styles into its pages; only its path gets this.
    private const string DashboardContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    /// <summary>
    /// HSTS (sent over https outside Development): <c>Hsts:MaxAgeDays</c> (default 365, the usual minimum for
    /// browsers' preload lists) and <c>Hsts:IncludeSubDomains</c> (default false: other sites may share the domain).
    /// </summary>
    public static IServiceCollection AddLiveHubHsts(this IServiceCollection services, IConfiguration configuration) => services.AddHsts(o =>
    {
        o.MaxAge = TimeSpan.FromDays(configuration.GetValue("Hsts:MaxAgeDays", 365));
        o.IncludeSubDomains = configuration.GetValue("Hsts:IncludeSubDomains", false);
    });

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        var frameAncestors = app.ApplicationServices.GetService<Microsoft.Extensions.Options.IOptions<Embed.EmbedOptions>>()?.Value.FrameAncestors ?? "'none'";
        var framedPolicy = ContentSecurityPolicy.Replace("frame-ancestors 'none'", "frame-ancestors " + frameAncestors, StringComparison.Ordinal);
        // X-Frame-Options cannot name several origins (ALLOW-FROM is gone from browsers): framed pages rely on the CSP.
        var framedFrameOptions = frameAncestors switch { "'none'" => "DENY", "'self'" => "SAMEORIGIN", _ => null };
        return app.Use(async (context, next) =>
        {
            // Decided before the dashboard's pipeline moves its prefix into PathBase.
            var policy = context.Request.Path.StartsWithSegments(CrossPosting.CrossPostingFeature.DashboardPath, StringComparison.OrdinalIgnoreCase)
                ? DashboardContentSecurityPolicy
                : ContentSecurityPolicy;
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                // Only endpoints marked AllowFraming (the /embed pages) may be framed, and only by the configured sites.
                var framed = context.GetEndpoint()?.Metadata.GetMetadata<Embed.AllowFraming>() is not null;
                // An endpoint may set a stricter policy of its own (uploaded media: sandboxed).
                if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
                {
                    headers.ContentSecurityPolicy = framed ? framedPolicy : policy;
                }

                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                if (!framed)
                {
                    headers.XFrameOptions = "DENY";
                }
                else if (framedFrameOptions is not null)
                {
                    headers.XFrameOptions = framedFrameOptions;
                }

                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
                return Task.CompletedTask;
            });
            await next();
        });
    }
}
