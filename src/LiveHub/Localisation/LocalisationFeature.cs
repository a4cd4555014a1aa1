using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace LiveHub.Localisation;

/// <summary>
/// Welsh and English. The language is chosen, in order, by the culture cookie (the switch on every page sets it), by
/// <c>?culture=</c> (which also sets the cookie, so the switch is a plain link and the choice is remembered), then
/// by Accept-Language; English otherwise. Only the UI culture changes: formatting that does not go through
/// <see cref="SiteCultures.Formatting"/> keeps the process culture, so feeds and APIs are the same in both languages.
/// </summary>
public static class LocalisationFeature
{
    public const string QueryKey = "culture";
    public static readonly string CookieName = CookieRequestCultureProvider.DefaultCookieName;

    public static IServiceCollection AddLocalisation(this IServiceCollection services)
    {
        services.AddLocalization();
        services.Configure<RequestLocalizationOptions>(options =>
        {
            var formatting = CultureInfo.CurrentCulture;
            options.DefaultRequestCulture = new RequestCulture(formatting, CultureInfo.GetCultureInfo(SiteCultures.English));
            options.SupportedCultures = [formatting];
            options.SupportedUICultures = [.. SiteCultures.All.Select(CultureInfo.GetCultureInfo)];
            options.FallBackToParentUICultures = true;
            options.RequestCultureProviders =
            [
                new CookieRequestCultureProvider { CookieName = CookieName, Options = options },
                new QueryStringRequestCultureProvider { QueryStringKey = QueryKey, UIQueryStringKey = QueryKey, Options = options },
                new AcceptLanguageHeaderRequestCultureProvider { Options = options },
            ];
        });
        return services;
    }

    /// <summary>Request localisation, and <c>?culture=</c> remembered in the cookie (it then wins over Accept-Language).</summary>
    public static IApplicationBuilder UseLocalisation(this IApplicationBuilder app)
    {
        app.UseRequestLocalization();
        return app.Use(async (context, next) =>
        {
            // A page's language depends on these request headers: caches must not give a Welsh page to an English reader.
            context.Response.OnStarting(() =>
            {
                if (context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
                {
                    context.Response.Headers.Append(Microsoft.Net.Http.Headers.HeaderNames.Vary, "Accept-Language, Cookie");
                }

                return Task.CompletedTask;
            });
            if (SiteCultures.Normalise(context.Request.Query[QueryKey]) is { } chosen)
            {
                CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(chosen);
                context.Response.Cookies.Append(CookieName, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)), new CookieOptions
                {
                    Path = "/",
                    MaxAge = TimeSpan.FromDays(365),
                    SameSite = SameSiteMode.Lax,
                    HttpOnly = true,
                    Secure = context.Request.IsHttps,
                    IsEssential = true,
                });
            }

            await next(context);
        });
    }

    /// <summary>The current address with <c>?culture=</c> set to the language: the switch's link, and the hreflang alternates.</summary>
    public static string UrlFor(HttpRequest request, string language)
    {
        var query = request.Query
            .Where(pair => !pair.Key.Equals(QueryKey, StringComparison.OrdinalIgnoreCase))
            .SelectMany(pair => pair.Value.Select(value => new KeyValuePair<string, string?>(pair.Key, value)))
            .Append(new KeyValuePair<string, string?>(QueryKey, language));
        return request.PathBase + request.Path + QueryString.Create(query);
    }
}
