using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using LiveHub.Tests.CrossPosting;
using LiveHub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace LiveHub.Tests.Reliability;

/// <summary>SIGTERM to the real process while an image upload's body is still arriving.</summary>
public sealed class ShutdownDuringUploadTests(ITestOutputHelper output)
{
    [Theory]
    // The rest of the body comes soon after the signal: the upload is stored and answered 201.
    [InlineData(false, 201)]
    // The rest never comes: answered 503 (try again) once Live:UploadShutdownGrace has passed, instead of the
    // connection being cut without an answer when the host's 30 s shutdown timeout runs out.
    [InlineData(true, 503)]
    public async Task Sigterm_while_an_upload_is_arriving_answers_it_cleanly_and_exits_0(bool stalls, int expectedStatus)
    {
        var data = Directory.CreateTempSubdirectory("livehub-upload-sigterm").FullName;
        var app = new LiveHubProcess(new Dictionary<string, string?>
        {
            ["Database__DataDirectory"] = data,
            ["Live__UploadShutdownGrace"] = "00:00:02",
            // Kestrel says when a request starts reading its body: the signal is sent only once the upload's has.
            ["Logging__LogLevel__Microsoft.AspNetCore.Server.Kestrel"] = "Debug",
            ["Logging__LogLevel__Microsoft.AspNetCore.Server.Kestrel.Connections"] = "Warning",
            ["Logging__LogLevel__Microsoft.AspNetCore.Server.Kestrel.Transport"] = "Warning",
        });
        try
        {
            await app.StartAsync();
            using var admin = await app.AdminClientAsync(TimeSpan.FromSeconds(60));
            var streamId = await StreamAsync(admin);

            // A raw connection, so that the answer is read even if the server stops reading the body.
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, app.Port);
            var connection = tcp.GetStream();
            var body = MultipartBody(LiveHub.Tests.Security.UploadAbuseTests.Png(64, 64, text: new string('x', 16 * 1024)));
            var head = $"POST /api/streams/{streamId}/images HTTP/1.1\r\nHost: 127.0.0.1:{app.Port}\r\n" +
                $"Authorization: {admin.DefaultRequestHeaders.Authorization}\r\nContent-Type: multipart/form-data; boundary={Boundary}\r\n" +
                "Transfer-Encoding: chunked\r\n\r\n";
            var bodiesStarted = BodiesStarted(app);
            await connection.WriteAsync(Encoding.ASCII.GetBytes(head));
            var half = body.Length / 2;
            await connection.WriteAsync(Chunk(body.AsSpan(0, half)));
            var answer = ReadAnswerAsync(connection);
            await CrossPostTestSupport.WaitUntilAsync(() => BodiesStarted(app) > bodiesStarted, "the server reads the upload's body", TimeSpan.FromSeconds(30));

            var stopClock = System.Diagnostics.Stopwatch.StartNew();
            app.Terminate();
            var sent = half;
            if (!stalls)
            {
                // The rest, a kilobyte at a time, as from a phone on a poor network.
                while (sent < body.Length)
                {
                    await Task.Delay(50);
                    var next = Math.Min(1024, body.Length - sent);
                    await connection.WriteAsync(Chunk(body.AsSpan(sent, next)));
                    sent += next;
                }

                await connection.WriteAsync("0\r\n\r\n"u8.ToArray());
            }

            var response = await answer;
            // As HttpClient does after "Connection: close".
            tcp.Close();
            var exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(60));
            var stopTime = stopClock.Elapsed;
            output.WriteLine($"{(stalls ? "stalled" : "kept arriving")}: sent {sent}/{body.Length} bytes; stopped with {exitCode} after {stopTime.TotalSeconds:F1} s; answer:\n{response}");
            Assert.StartsWith($"HTTP/1.1 {expectedStatus} ", response, StringComparison.Ordinal);
            if (expectedStatus == 503)
            {
                Assert.Contains("Content-Type: application/problem+json", response, StringComparison.OrdinalIgnoreCase);
                Assert.Contains("Retry-After: ", response, StringComparison.OrdinalIgnoreCase);
            }

            Assert.True(exitCode == 0, $"exit code {exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none: still running"}\n{app.Tail()}");
            // Not held until the host's shutdown timeout (30 s) by a body that never ends.
            Assert.True(stopTime < TimeSpan.FromSeconds(30), $"stopped after {stopTime}");
        }
        catch (Exception ex)
        {
            Assert.Fail($"{ex}\n--- LiveHub output ---\n{app.Tail(150)}");
        }
        finally
        {
            await app.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    private const string Boundary = "livehub-upload-boundary";

    private static byte[] MultipartBody(byte[] png)
    {
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"altText\"\r\n\r\nA photo that arrives slowly\r\n" +
            $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.png\"\r\nContent-Type: image/png\r\n\r\n"));
        bytes.AddRange(png);
        bytes.AddRange(Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n"));
        return [.. bytes];
    }

    private static byte[] Chunk(ReadOnlySpan<byte> data) =>
        [.. Encoding.ASCII.GetBytes($"{data.Length:x}\r\n"), .. data, .. "\r\n"u8];

    /// <summary>Everything the server sends until it closes the connection or a whole response with its body has come.</summary>
    private static async Task<string> ReadAnswerAsync(NetworkStream connection)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await connection.ReadAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, read);
                var text = Encoding.UTF8.GetString(received.ToArray());
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end > 0 && CompleteBody(text[..end], text[(end + 4)..]))
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // reset after (or instead of) an answer
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    private static bool CompleteBody(string head, string body)
    {
        var length = head.Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (length is not null)
        {
            return Encoding.UTF8.GetByteCount(body) >= int.Parse(length["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }

        return head.Contains("chunked", StringComparison.OrdinalIgnoreCase) ? body.EndsWith("0\r\n\r\n", StringComparison.Ordinal) : false;
    }

    private static int BodiesStarted(LiveHubProcess app) =>
        app.Output.Split('\n').Count(l => l.Contains("started reading request body", StringComparison.Ordinal));

    private static async Task<Guid> StreamAsync(HttpClient admin)
    {
        var slug = "upload-" + Guid.NewGuid().ToString("N")[..10];
        (await admin.PostAsJsonAsync("/api/events", EventsTestData.Event(slug))).EnsureSuccessStatusCode();
        var session = await (await admin.PostAsJsonAsync($"/api/events/{slug}/sessions", new { title = "Panel", startsAt = "2030-06-01T14:00", endsAt = "2030-06-01T15:00" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var sessionId = session.GetProperty("id").GetGuid();
        var streams = await admin.GetFromJsonAsync<JsonElement>($"/api/events/{slug}/streams");
        var streamId = streams.EnumerateArray().Single(s => s.GetProperty("sessionId").ValueKind == JsonValueKind.String).GetProperty("id").GetGuid();
        (await admin.PostAsync($"/api/events/{slug}/sessions/{sessionId}/coverage/start", null)).EnsureSuccessStatusCode();
        return streamId;
    }
}
