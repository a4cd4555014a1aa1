using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Authentication;

namespace LiveHub.Staff;

/// <summary>
/// Runs after authentication on every request: a cookie or bearer token counts only while its
/// account still exists, is enabled and has the security stamp the credential was issued with, and
/// it carries the roles the account has now. Sign-out, password change, role change, disabling and
/// deletion all renew or remove the stamp, so they end every session and token at once.
/// Responses to requests that carried credentials are never stored by caches.
/// </summary>
internal sealed class StaffAccountCheckMiddleware(RequestDelegate next, StaffAccountCache accounts, IOptions<IdentityOptions> identity)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.User.Identity is ClaimsIdentity { IsAuthenticated: true } claims)
        {
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpContext)state).Response.Headers;
                headers.CacheControl = "private, no-store";
                headers.Pragma = "no-cache";
                return Task.CompletedTask;
            }, context);

            var claimTypes = identity.Value.ClaimsIdentity;
            var userId = claims.FindFirst(claimTypes.UserIdClaimType)?.Value;
            var stamp = claims.FindFirst(claimTypes.SecurityStampClaimType)?.Value;
            var account = userId is null ? null : await accounts.GetAsync(userId, context.RequestAborted);
            if (account is null || !account.Enabled || stamp is null || !string.Equals(stamp, account.SecurityStamp, StringComparison.Ordinal))
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity());
                if (!StaffFeature.UsesBearerToken(context.Request))
                {
                    // Also stops the cookie handler from renewing the cookie on this response.
                    await context.SignOutAsync(IdentityConstants.ApplicationScheme);
                }
            }
            else
            {
                foreach (var role in claims.FindAll(claims.RoleClaimType).ToList())
                {
                    claims.RemoveClaim(role);
                }

                claims.AddClaims(account.Roles.Select(r => new Claim(claims.RoleClaimType, r)));
            }
        }

        await next(context);
    }
}

public static class StaffAccountCheckExtensions
{
    /// <summary>Between UseAuthentication and UseAuthorization.</summary>
    public static IApplicationBuilder UseStaffAccountCheck(this IApplicationBuilder app) => app.UseMiddleware<StaffAccountCheckMiddleware>();
}
