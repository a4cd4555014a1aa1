using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace LiveHub.Calendar.Import;

/// <summary>A URL import that could not be fetched; the message says why in words a staff member can act on.</summary>
internal sealed class IcsFetchException(string message, int statusCode = StatusCodes.Status422UnprocessableEntity) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>Host name to addresses; the system's DNS in production, a fixed table in tests.</summary>
internal interface IHostNameResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

internal sealed class DnsHostNameResolver : IHostNameResolver
{
    public static readonly DnsHostNameResolver Instance = new();

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>
/// Fetches a calendar from a URL without becoming a way into the hub's own network: https only, every resolved
/// address checked and the connection pinned to the checked addresses (the check runs in ConnectCallback, so a
/// DNS answer cannot change between check and connect), redirects followed by hand and checked again, no proxy,
/// a size limit on the decompressed body and a time limit on the whole exchange.
/// </summary>
internal sealed class IcsFetcher : IDisposable
{
    private readonly CalendarImportOptions _options;
    private readonly AddressPolicy _policy;
    private readonly HttpClient _client;
    private readonly IHostNameResolver _resolver;

    public IcsFetcher(IOptions<CalendarOptions> options)
        : this(options, DnsHostNameResolver.Instance)
    {
    }

    public IcsFetcher(IOptions<CalendarOptions> options, IHostNameResolver resolver)
    {
        _resolver = resolver;
        _options = options.Value.Import;
        _policy = new AddressPolicy(_options);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = _options.FetchTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = ConnectAsync,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("LiveHub-Import", "1.0"));
        _client.DefaultRequestHeaders.Accept.ParseAdd("text/calendar, text/plain;q=0.8, */*;q=0.5");
    }

    /// <summary>Checks the form of a URL before any network traffic; returns the reason it is refused, or null.</summary>
    public string? CheckUrl(string url, out Uri? uri)
    {
        if (url.StartsWith("webcal://", StringComparison.OrdinalIgnoreCase))
        {
            url = "https://" + url["webcal://".Length..];
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out uri) || string.IsNullOrEmpty(uri.Host))
        {
            return "must be an absolute https:// (or webcal://) URL.";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(_options.AllowHttp && uri.Scheme == Uri.UriSchemeHttp))
        {
            return "must use https:// (or webcal://).";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "must not contain a user name or password.";
        }

        if (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal) && !_policy.IsAllowed(literal))
        {
            return $"is refused: {literal} is a private, loopback, link-local or otherwise non-public address.";
        }

        return null;
    }

    public async Task<byte[]> FetchAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.FetchTimeout);
        try
        {
            for (var redirects = 0; ; redirects++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
                {
                    if (redirects >= _options.MaxRedirects)
                    {
                        throw new IcsFetchException($"was redirected more than {_options.MaxRedirects} times.");
                    }

                    var next = new Uri(uri, location);
                    if (CheckUrl(next.AbsoluteUri, out var checkedNext) is { } refused)
                    {
                        throw new IcsFetchException($"redirects to {next.GetLeftPart(UriPartial.Authority)}, which {refused}", StatusCodes.Status400BadRequest);
                    }

                    uri = checkedNext!;
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new IcsFetchException($"answered {(int)response.StatusCode} {response.ReasonPhrase} instead of a calendar.");
                }

                var mediaType = response.Content.Headers.ContentType?.MediaType;
                if (mediaType is not null && (mediaType.Contains("html", StringComparison.OrdinalIgnoreCase) || mediaType.Contains("json", StringComparison.OrdinalIgnoreCase)))
                {
                    throw new IcsFetchException($"returned {mediaType}, not an iCalendar (.ics) file.");
                }

                if (response.Content.Headers.ContentLength > _options.MaxBytes)
                {
                    throw TooLarge();
                }

                return await ReadLimitedAsync(response, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new IcsFetchException($"did not answer within {_options.FetchTimeout.TotalSeconds:0.#} seconds.", StatusCodes.Status504GatewayTimeout);
        }
        catch (HttpRequestException ex)
        {
            for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
            {
                if (inner is IcsFetchException refused)
                {
                    throw refused;
                }
            }

            throw new IcsFetchException($"could not be fetched: {ex.Message}", StatusCodes.Status502BadGateway);
        }
    }

    private async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > _options.MaxBytes)
            {
                throw TooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private IcsFetchException TooLarge() =>
        new($"is larger than the limit of {_options.MaxBytes / 1024 / 1024.0:0.#} MB.", StatusCodes.Status413PayloadTooLarge);

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await _resolver.ResolveAsync(host, cancellationToken);
            }
            catch (SocketException)
            {
                throw new IcsFetchException($"could not be fetched: the host name '{host}' does not resolve.");
            }
        }

        if (addresses.Length == 0)
        {
            throw new IcsFetchException($"could not be fetched: the host name '{host}' does not resolve.");
        }

        if (addresses.FirstOrDefault(a => !_policy.IsAllowed(a)) is { } refused)
        {
            throw new IcsFetchException(
                $"is refused: '{host}' resolves to {refused}, a private, loopback, link-local or otherwise non-public address.", StatusCodes.Status400BadRequest);
        }

        // Connect to exactly the addresses just checked, never to a fresh DNS answer.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    public void Dispose() => _client.Dispose();
}
