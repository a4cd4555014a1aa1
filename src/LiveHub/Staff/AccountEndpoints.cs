using System.Globalization;
using LiveHub.Problems;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace LiveHub.Staff;

public sealed record SignInRequest(string? Email, string? Password, bool RememberMe = false);

public sealed record RefreshTokenRequest(string? RefreshToken);

public sealed record AntiforgeryTokenResponse(string Token, string HeaderName);

public sealed record CurrentStaffResponse(string Id, string Email, string DisplayName, IReadOnlyList<string> Roles);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public sealed record UpdateProfileRequest(string? DisplayName);

public static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/api/account").WithTags("Account");

        account.MapGet("/antiforgery", GetAntiforgeryToken);
        account.MapPost("/login", SignInWithCookie).RequireRateLimiting(StaffFeature.SignInRateLimit).RequireAntiforgeryForCookies();
        account.MapPost("/token", SignInWithBearerToken).RequireRateLimiting(StaffFeature.SignInRateLimit);
        account.MapPost("/refresh", RefreshBearerToken).RequireRateLimiting(StaffFeature.SignInRateLimit);
        account.MapPost("/logout", SignOut).RequireAuthorization().RequireAntiforgeryForCookies();
        account.MapGet("/me", GetCurrentStaff).RequireAuthorization();
        account.MapPut("/me", UpdateProfile).RequireAuthorization().RequireAntiforgeryForCookies();
        account.MapPost("/password", ChangePassword).RequireAuthorization().RequireAntiforgeryForCookies();
    }

    private static Ok<AntiforgeryTokenResponse> GetAntiforgeryToken(HttpContext http, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        return TypedResults.Ok(new AntiforgeryTokenResponse(tokens.RequestToken!, AntiforgeryForCookies.HeaderName));
    }

    private static async Task<Results<Ok<CurrentStaffResponse>, ValidationProblem, ProblemHttpResult>> SignInWithCookie(
        SignInRequest request, HttpContext http, SignInManager<StaffUser> signIn, UserManager<StaffUser> users, SignInThrottle throttle, TimeProvider clock)
    {
        signIn.AuthenticationScheme = IdentityConstants.ApplicationScheme;
        var outcome = await PasswordSignIn(request, http, signIn, users, throttle, clock, request.RememberMe);
        if (outcome.Problem is not null)
        {
            return outcome.Problem;
        }

        if (outcome.Invalid is not null)
        {
            return outcome.Invalid;
        }

        return TypedResults.Ok(await Describe(outcome.User!, users));
    }

    private static async Task<Results<EmptyHttpResult, ValidationProblem, ProblemHttpResult>> SignInWithBearerToken(
        SignInRequest request, HttpContext http, SignInManager<StaffUser> signIn, UserManager<StaffUser> users, SignInThrottle throttle, TimeProvider clock)
    {
        // With the bearer scheme, a successful sign-in writes the token response itself.
        signIn.AuthenticationScheme = IdentityConstants.BearerScheme;
        var outcome = await PasswordSignIn(request, http, signIn, users, throttle, clock, isPersistent: false);
        if (outcome.Problem is not null)
        {
            return outcome.Problem;
        }

        if (outcome.Invalid is not null)
        {
            return outcome.Invalid;
        }

        return TypedResults.Empty;
    }

    /// <summary>A new access token (and refresh token) for a refresh token whose account has not been revoked since.</summary>
    private static async Task<Results<SignInHttpResult, ValidationProblem, ProblemHttpResult>> RefreshBearerToken(
        RefreshTokenRequest request, SignInManager<StaffUser> signIn, IOptionsMonitor<BearerTokenOptions> bearer, TimeProvider clock)
    {
        var errors = new ValidationErrors();
        errors.Required("refreshToken", request.RefreshToken);
        if (errors.HasErrors)
        {
            return errors.ToProblem();
        }

        var ticket = bearer.Get(IdentityConstants.BearerScheme).RefreshTokenProtector.Unprotect(request.RefreshToken);
        if (ticket?.Properties.ExpiresUtc is not { } expires || clock.GetUtcNow() >= expires
            || await signIn.ValidateSecurityStampAsync(ticket.Principal) is not { DisabledAtUtc: null } user)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Refresh token refused",
                detail: "The refresh token has expired or was revoked (sign-out, password or role change, or a disabled account). Sign in again.");
        }

        return TypedResults.SignIn(await signIn.CreateUserPrincipalAsync(user), authenticationScheme: IdentityConstants.BearerScheme);
    }

    private sealed record SignInOutcome(StaffUser? User, ValidationProblem? Invalid, ProblemHttpResult? Problem);

    private static async Task<SignInOutcome> PasswordSignIn(SignInRequest request, HttpContext http, SignInManager<StaffUser> signIn,
        UserManager<StaffUser> users, SignInThrottle throttle, TimeProvider clock, bool isPersistent)
    {
        var errors = new ValidationErrors();
        errors.Required("email", request.Email);
        errors.Required("password", request.Password);
        if (errors.HasErrors)
        {
            return new(null, errors.ToProblem(), null);
        }

        var email = request.Email!.Trim();
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var accountKey = email.ToUpperInvariant();
        if (throttle.RetryAfter(address, accountKey) is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return new(null, null, TypedResults.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many failed sign-in attempts",
                detail: $"Too many failed sign-ins from this address. Wait {seconds} s before trying again."));
        }

        var user = IsValidUnicode(email) ? await users.FindByEmailAsync(email) : null;
        if (user is null || user.DisabledAtUtc is not null)
        {
            // Hash anyway, so an unknown or disabled account answers as slowly as a wrong password.
            PasswordTiming.VerifyAgainstDecoy(users.PasswordHasher, request.Password!);
            throttle.Failed(address, accountKey);
            return new(null, null, InvalidCredentials());
        }

        // No account lockout: the throttle slows the guesser's address instead of locking the owner out.
        var result = await signIn.PasswordSignInAsync(user, request.Password!, isPersistent, lockoutOnFailure: false);
        if (result.IsLockedOut)
        {
            return new(null, null, TypedResults.Problem(
                statusCode: StatusCodes.Status423Locked,
                title: "Account locked",
                detail: "An admin has locked this account. Ask an admin to unlock it."));
        }

        if (!result.Succeeded)
        {
            throttle.Failed(address, accountKey);
            return new(null, null, InvalidCredentials());
        }

        throttle.Succeeded(address, accountKey);
        user.LastSignInAtUtc = clock.GetUtcNow().UtcDateTime;
        await users.UpdateAsync(user);
        return new(user, null, null);
    }

    /// <summary>Identity normalises lookups (Unicode normalisation), which throws on noncharacters such as U+FFFF.</summary>
    internal static bool IsValidUnicode(string value)
    {
        try
        {
            _ = value.Normalize();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static ProblemHttpResult InvalidCredentials() => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Sign-in failed",
        detail: "The email address or password is not correct.");

    /// <summary>Signs out everywhere: every cookie and bearer token of the account stops working.</summary>
    private static async Task<NoContent> SignOut(HttpContext http, SignInManager<StaffUser> signIn, StaffUserManager users)
    {
        if (await users.GetUserAsync(http.User) is { } user)
        {
            await users.RevokeSessionsAsync(user);
        }

        await signIn.SignOutAsync();
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<CurrentStaffResponse>, UnauthorizedHttpResult>> GetCurrentStaff(HttpContext http, UserManager<StaffUser> users)
    {
        var user = await users.GetUserAsync(http.User);
        return user is null ? TypedResults.Unauthorized() : TypedResults.Ok(await Describe(user, users));
    }

    private static async Task<Results<Ok<CurrentStaffResponse>, ValidationProblem, UnauthorizedHttpResult>> UpdateProfile(
        UpdateProfileRequest request, HttpContext http, UserManager<StaffUser> users)
    {
        var errors = new ValidationErrors();
        var name = StaffValidation.DisplayName(request.DisplayName, errors, required: true);
        if (errors.HasErrors)
        {
            return errors.ToProblem();
        }

        var user = await users.GetUserAsync(http.User);
        if (user is null)
        {
            return TypedResults.Unauthorized();
        }

        user.DisplayName = name;
        await users.UpdateAsync(user);
        return TypedResults.Ok(await Describe(user, users));
    }

    private static async Task<Results<NoContent, ValidationProblem, UnauthorizedHttpResult>> ChangePassword(
        ChangePasswordRequest request, HttpContext http, UserManager<StaffUser> users, SignInManager<StaffUser> signIn)
    {
        var errors = new ValidationErrors();
        errors.Required("currentPassword", request.CurrentPassword);
        errors.Required("newPassword", request.NewPassword);
        if (errors.HasErrors)
        {
            return errors.ToProblem();
        }

        var user = await users.GetUserAsync(http.User);
        if (user is null)
        {
            return TypedResults.Unauthorized();
        }

        var result = await users.ChangePasswordAsync(user, request.CurrentPassword!, request.NewPassword!);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                errors.Add(error.Code == "PasswordMismatch" ? "currentPassword" : "newPassword", error.Description);
            }

            return errors.ToProblem();
        }

        // The new security stamp ends every other session and token; a cookie caller keeps working
        // in this browser with a fresh cookie, a bearer caller signs in again.
        if (!StaffFeature.UsesBearerToken(http.Request))
        {
            signIn.AuthenticationScheme = IdentityConstants.ApplicationScheme;
            await signIn.RefreshSignInAsync(user);
        }

        return TypedResults.NoContent();
    }

    internal static async Task<CurrentStaffResponse> Describe(StaffUser user, UserManager<StaffUser> users) =>
        new(user.Id, user.Email!, user.PublicName, [.. await users.GetRolesAsync(user)]);
}

/// <summary>Makes a sign-in for an account that does not exist cost the same password hash as one that does.</summary>
internal static class PasswordTiming
{
    private static readonly Lazy<(StaffUser User, string Hash)> Decoy = new(() =>
    {
        var user = new StaffUser { Id = "decoy", UserName = "decoy" };
        var hash = new PasswordHasher<StaffUser>().HashPassword(user, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));
        return (user, hash);
    });

    public static void VerifyAgainstDecoy(IPasswordHasher<StaffUser> hasher, string password)
    {
        var (user, hash) = Decoy.Value;
        _ = hasher.VerifyHashedPassword(user, hash, password);
    }
}
