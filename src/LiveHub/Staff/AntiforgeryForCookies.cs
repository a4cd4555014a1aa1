using Microsoft.AspNetCore.Antiforgery;

namespace LiveHub.Staff;

/// <summary>
/// Requires an antiforgery token on state-changing requests that could ride on the staff cookie.
/// Requests authenticated by a bearer token cannot be forged cross-site, so they skip the check.
/// </summary>
public static class AntiforgeryForCookies
{
    public const string HeaderName = "X-CSRF-TOKEN";

    public static TBuilder RequireAntiforgeryForCookies<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method))
            {
                return await next(context);
            }

            if (!StaffFeature.UsesBearerToken(http.Request))
            {
                var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
                if (!await antiforgery.IsRequestValidAsync(http))
                {
                    return TypedResults.Problem(
                        statusCode: StatusCodes.Status400BadRequest,
                        title: "Missing or invalid antiforgery token",
                        detail: $"Send the token from GET /api/account/antiforgery in the {HeaderName} header.",
                        extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [HeaderName] = ["The antiforgery token is missing or does not match this session."] } });
                }
            }

            return await next(context);
        });
        return builder;
    }

}
