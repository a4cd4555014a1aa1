using System.Net;
using System.Text.Json;

namespace LiveHub.Tests.Infrastructure;

public static class ProblemAssertions
{
    /// <summary>Asserts an RFC 7807 response with the status and a reason for the given field.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string? field = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        if (field is not null)
        {
            Assert.True(problem.TryGetProperty("errors", out var errors), $"No 'errors' in {body}");
            Assert.True(errors.TryGetProperty(field, out var reasons), $"No error for '{field}' in {body}");
            Assert.Contains(reasons.EnumerateArray(), r => !string.IsNullOrWhiteSpace(r.GetString()));
        }

        return problem;
    }
}
