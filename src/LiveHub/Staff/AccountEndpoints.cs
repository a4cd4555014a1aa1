using LiveHub.Problems;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace LiveHub.Staff;

public sealed record SignInRequest(string? Email, string? Password, bool RememberMe = false);

public sealed record AntiforgeryTokenResponse(string Token, string HeaderName);

public sealed record CurrentStaffResponse(string Id, string Email, string? DisplayName, IReadOnlyList<string> Roles);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/api/account").WithTags("Account");

        account.MapGet("/antiforgery", GetAntiforgeryToken);
        account.MapPost("/login", SignInWithCookie).RequireRateLimiting(StaffFeature.SignInRateLimit).RequireAntiforgeryForCookies();
        account.MapPost("/token", SignInWithBearerToken).RequireRateLimiting(StaffFeature.SignInRateLimit);
        account.MapPost("/logout", SignOut).RequireAuthorization().RequireAntiforgeryForCookies();
        account.MapGet("/me", GetCurrentStaff).RequireAuthorization();
        account.MapPost("/password", ChangePassword).RequireAuthorization().RequireAntiforgeryForCookies();
    }

    private static Ok<AntiforgeryTokenResponse> GetAntiforgeryToken(HttpContext http, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        return TypedResults.Ok(new AntiforgeryTokenResponse(tokens.RequestToken!, AntiforgeryForCookies.HeaderName));
    }

    private static async Task<Results<Ok<CurrentStaffResponse>, ValidationProblem, ProblemHttpResult>> SignInWithCookie(
        SignInRequest request, SignInManager<StaffUser> signIn, UserManager<StaffUser> users)
    {
        signIn.AuthenticationScheme = IdentityConstants.ApplicationScheme;
        var outcome = await PasswordSignIn(request, signIn, users, request.RememberMe);
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
        SignInRequest request, SignInManager<StaffUser> signIn, UserManager<StaffUser> users)
    {
        // With the bearer scheme, a successful sign-in writes the token response itself.
        signIn.AuthenticationScheme = IdentityConstants.BearerScheme;
        var outcome = await PasswordSignIn(request, signIn, users, isPersistent: false);
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

    private sealed record SignInOutcome(StaffUser? User, ValidationProblem? Invalid, ProblemHttpResult? Problem);

    private static async Task<SignInOutcome> PasswordSignIn(SignInRequest request, SignInManager<StaffUser> signIn, UserManager<StaffUser> users, bool isPersistent)
    {
        var errors = new ValidationErrors();
        errors.Required("email", request.Email);
        errors.Required("password", request.Password);
        if (errors.HasErrors)
        {
            return new(null, errors.ToProblem(), null);
        }

        var user = IsValidUnicode(request.Email!) ? await users.FindByEmailAsync(request.Email!.Trim()) : null;
        if (user is null)
        {
            return new(null, null, InvalidCredentials());
        }

        var result = await signIn.PasswordSignInAsync(user, request.Password!, isPersistent, lockoutOnFailure: true);
        if (result.IsLockedOut)
        {
            return new(null, null, TypedResults.Problem(
                statusCode: StatusCodes.Status423Locked,
                title: "Account locked",
                detail: "Too many failed sign-in attempts. Try again later or ask an admin to unlock the account."));
        }

        return result.Succeeded ? new(user, null, null) : new(null, null, InvalidCredentials());
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

    private static async Task<NoContent> SignOut(SignInManager<StaffUser> signIn)
    {
        await signIn.SignOutAsync();
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<CurrentStaffResponse>, UnauthorizedHttpResult>> GetCurrentStaff(HttpContext http, UserManager<StaffUser> users)
    {
        var user = await users.GetUserAsync(http.User);
        return user is null ? TypedResults.Unauthorized() : TypedResults.Ok(await Describe(user, users));
    }

    private static async Task<Results<NoContent, ValidationProblem, UnauthorizedHttpResult>> ChangePassword(
        ChangePasswordRequest request, HttpContext http, UserManager<StaffUser> users)
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

        return TypedResults.NoContent();
    }

    internal static async Task<CurrentStaffResponse> Describe(StaffUser user, UserManager<StaffUser> users) =>
        new(user.Id, user.Email!, user.DisplayName, [.. await users.GetRolesAsync(user)]);
}
