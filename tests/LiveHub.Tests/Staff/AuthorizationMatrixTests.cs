using System.Net;
using System.Text;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHub.Tests.Staff;

/// <summary>
/// Every API endpoint the app maps must be classified here; a new endpoint fails the test until it
/// is. Each classified endpoint is then called anonymously, signed in without a role, as an editor
/// and as an admin, and must refuse exactly the callers it should.
/// </summary>
public sealed class AuthorizationMatrixTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private enum Access
    {
        Public,
        SignedIn,
        Editor,
        Admin,
    }

    private static readonly Dictionary<string, Access> Classification = new(StringComparer.Ordinal)
    {
        ["GET /api/events/"] = Access.Public,
        ["GET /api/events/{slug}"] = Access.Public,
        ["POST /api/events/"] = Access.Editor,
        ["PUT /api/events/{slug}"] = Access.Editor,
        ["DELETE /api/events/{slug}"] = Access.Editor,
        ["GET /api/events/{slug}/sessions/{id:guid}"] = Access.Public,
        ["POST /api/events/{slug}/sessions/"] = Access.Editor,
        ["PUT /api/events/{slug}/sessions/{id:guid}"] = Access.Editor,
        ["DELETE /api/events/{slug}/sessions/{id:guid}"] = Access.Editor,
        ["GET /api/speakers/"] = Access.Public,
        ["GET /api/speakers/{id:guid}"] = Access.Public,
        ["POST /api/speakers/"] = Access.Editor,
        ["PUT /api/speakers/{id:guid}"] = Access.Editor,
        ["DELETE /api/speakers/{id:guid}"] = Access.Editor,
        ["GET /api/account/antiforgery"] = Access.Public,
        ["POST /api/account/login"] = Access.Public,
        ["POST /api/account/token"] = Access.Public,
        ["POST /api/account/logout"] = Access.SignedIn,
        ["GET /api/account/me"] = Access.SignedIn,
        ["POST /api/account/password"] = Access.SignedIn,
        ["GET /api/events/{slug}/streams"] = Access.Public,
        ["GET /api/streams/{streamId:guid}"] = Access.Public,
        ["GET /api/streams/{streamId:guid}/posts"] = Access.Public,
        ["POST /api/streams/{streamId:guid}/posts"] = Access.Editor,
        ["PUT /api/streams/{streamId:guid}/posts/{postId:guid}"] = Access.Editor,
        ["DELETE /api/streams/{streamId:guid}/posts/{postId:guid}"] = Access.Editor,
        ["PUT /api/streams/{streamId:guid}/posts/{postId:guid}/pin"] = Access.Editor,
        ["PUT /api/streams/{streamId:guid}/posts/{postId:guid}/key-moment"] = Access.Editor,
        ["POST /api/streams/{streamId:guid}/images"] = Access.Editor,
        ["GET /api/streams/{streamId:guid}/audit"] = Access.Editor,
        ["POST /api/events/{slug}/coverage/{action:regex(^(start|end)$)}"] = Access.Editor,
        ["POST /api/events/{slug}/sessions/{sessionId:guid}/coverage/{action:regex(^(start|end)$)}"] = Access.Editor,
        ["GET /api/staff/"] = Access.Admin,
        ["POST /api/staff/"] = Access.Admin,
        ["PUT /api/staff/{id}"] = Access.Admin,
        ["DELETE /api/staff/{id}"] = Access.Admin,
        ["GET /api/crosspost/settings"] = Access.Admin,
        ["PUT /api/crosspost/settings"] = Access.Admin,
        ["PUT /api/crosspost/account"] = Access.Admin,
        ["DELETE /api/crosspost/account"] = Access.Admin,
        ["GET /api/crosspost/events"] = Access.Admin,
        ["PUT /api/crosspost/events/{slug}"] = Access.Admin,
        ["GET /api/crosspost/jobs"] = Access.Admin,
        ["GET /api/streams/{id:guid}/crosspost"] = Access.Editor,
        ["POST /api/crosspost/{id:guid}/retry"] = Access.Editor,
        ["POST /api/crosspost/{id:guid}/skip"] = Access.Editor,
        ["POST /api/import/preview"] = Access.Editor,
        ["POST /api/import/confirm"] = Access.Editor,
    };

    private IEnumerable<(string Method, string Pattern, Endpoint Endpoint)> ApiEndpoints()
    {
        var sources = app.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (!pattern.StartsWith("/api/", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                yield return (method, pattern, endpoint);
            }
        }
    }

    /// <summary>Fills route parameters with values that pass their constraints but match nothing.</summary>
    private static string SampleUrl(string pattern) => System.Text.RegularExpressions.Regex.Replace(pattern, @"\{([^}:]+)(:[^}]*)?\}", m =>
        m.Groups[2].Value.StartsWith(":guid", StringComparison.Ordinal) ? Guid.Empty.ToString()
        : m.Groups[2].Value.Contains("start|end", StringComparison.Ordinal) ? "start"
        : m.Groups[1].Value == "slug" ? "no-such-event"
        : "no-such-" + m.Groups[1].Value);

    [Fact]
    public void Every_api_endpoint_is_classified()
    {
        var unclassified = ApiEndpoints().Select(e => $"{e.Method} {e.Pattern}").Where(k => !Classification.ContainsKey(k)).ToList();
        Assert.True(unclassified.Count == 0, "Classify these endpoints in AuthorizationMatrixTests: " + string.Join(", ", unclassified));
        var gone = Classification.Keys.Except(ApiEndpoints().Select(e => $"{e.Method} {e.Pattern}")).ToList();
        Assert.True(gone.Count == 0, "These classified endpoints no longer exist: " + string.Join(", ", gone));
    }

    [Fact]
    public void Declared_authorization_matches_the_classification()
    {
        foreach (var (method, pattern, endpoint) in ApiEndpoints())
        {
            if (!Classification.TryGetValue($"{method} {pattern}", out var expected))
            {
                continue; // Reported by Every_api_endpoint_is_classified.
            }

            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy ?? "").ToList();
            var declared = policies.Contains(StaffPolicies.Admin) ? Access.Admin
                : policies.Contains(StaffPolicies.Editor) ? Access.Editor
                : policies.Count > 0 ? Access.SignedIn
                : Access.Public;
            Assert.True(expected == declared, $"{method} {pattern}: classified {expected}, declared {declared}");
        }
    }

    [Fact]
    public async Task Protected_endpoints_refuse_callers_without_the_role()
    {
        var anonymous = app.AnonymousClient();
        await anonymous.UseAntiforgeryAsync();
        var noRole = await app.CookieClientAsync(role: null);
        var editor = await app.CookieClientAsync(StaffRoles.Editor);
        var editorBearer = await app.BearerClientAsync(StaffRoles.Editor);
        var failures = new List<string>();

        foreach (var (method, pattern, _) in ApiEndpoints())
        {
            if (!Classification.TryGetValue($"{method} {pattern}", out var access) || access == Access.Public)
            {
                continue;
            }

            var url = SampleUrl(pattern);

            await Expect(anonymous, HttpStatusCode.Unauthorized, "anonymous");
            if (access is Access.Editor or Access.Admin)
            {
                await Expect(noRole, HttpStatusCode.Forbidden, "signed in without a role");
            }

            if (access == Access.Admin)
            {
                await Expect(editor, HttpStatusCode.Forbidden, "editor (cookie)");
                await Expect(editorBearer, HttpStatusCode.Forbidden, "editor (bearer)");
            }

            async Task Expect(HttpClient client, HttpStatusCode status, string who)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                if (method != "GET")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                var response = await client.SendAsync(request);
                if (response.StatusCode != status)
                {
                    failures.Add($"{method} {url} as {who}: expected {(int)status}, got {(int)response.StatusCode}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}
