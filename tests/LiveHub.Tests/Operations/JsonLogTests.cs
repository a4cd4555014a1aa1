using System.Text.Json;
using LiveHub.Tests.Reliability;

namespace LiveHub.Tests.Operations;

/// <summary>Logging:Console:FormatterName=json gives one JSON object per line, with the request's W3C trace id.</summary>
public sealed class JsonLogTests
{
    [Fact]
    public async Task Json_console_logs_carry_the_trace_id_of_the_request_that_wrote_them()
    {
        var data = Directory.CreateTempSubdirectory("livehub-jsonlogs").FullName;
        var process = new LiveHubProcess(new Dictionary<string, string?>
        {
            ["Database__DataDirectory"] = data,
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
        });
        try
        {
            await process.StartAsync();
            var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
            using var client = new HttpClient { BaseAddress = process.BaseAddress };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/events");
            request.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(BitConverter.GetBytes(42L))}-01");
            (await client.SendAsync(request)).EnsureSuccessStatusCode();

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!process.Output.Contains(traceId, StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, $"No log line carries trace id {traceId}:\n{process.Tail()}");
                await Task.Delay(100);
            }

            var lines = process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(l => !l.StartsWith("--- start", StringComparison.Ordinal)).ToList();
            Assert.All(lines, line => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind));
            var traced = lines.Select(l => JsonDocument.Parse(l).RootElement).First(l => l.GetRawText().Contains(traceId, StringComparison.Ordinal));
            Assert.Equal("Information", traced.GetProperty("LogLevel").GetString());
            Assert.Contains(traced.GetProperty("Scopes").EnumerateArray(),
                scope => scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty("TraceId", out var id) && id.GetString() == traceId);
        }
        finally
        {
            await process.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }
}
