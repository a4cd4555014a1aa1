using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace LiveHub.Tests.Browser;

/// <summary>
/// One Kestrel-hosted app and one headless Chromium per test class. Each test opens its own browser
/// context (separate cookies) with <see cref="NewPageAsync"/>.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    public BrowserFixture()
        : this(new KestrelApp())
    {
    }

    protected BrowserFixture(KestrelApp app) => App = app;

    public const string ChromiumVariable = "LIVEHUB_CHROMIUM";
    public const string DefaultChromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public KestrelApp App { get; }

    public string BaseUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } configured ? configured : DefaultChromium;
        if (!File.Exists(executable))
        {
            // A missing browser is a failure, never a skip: the pages would go untested without anyone noticing.
            throw new InvalidOperationException(
                $"Chromium was not found at '{executable}'. The browser tests need it: install it with " +
                $"'apt-get update && apt-get install -y chromium' (Debian), or set {ChromiumVariable} to a Chromium or Chrome executable.");
        }

        await App.InitializeAsync();
        BaseUrl = App.BaseAddress.ToString().TrimEnd('/');
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await ((IAsyncLifetime)App).DisposeAsync();
    }

    /// <summary>A page in a fresh context (no cookies) that records console errors and uncaught exceptions.</summary>
    /// <param name="locale">The browser's language (it sends it as Accept-Language): "cy" for a Welsh reader.</param>
    public async Task<BrowserPage> NewPageAsync(int width = 1280, int height = 900, bool javaScriptEnabled = true, string timeZone = "Europe/London", string locale = "en-GB")
    {
        var context = await (_browser ?? throw new InvalidOperationException("Not initialised.")).NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = locale,
            TimezoneId = timeZone,
            JavaScriptEnabled = javaScriptEnabled,
        });
        context.SetDefaultTimeout(10_000);
        var page = await context.NewPageAsync();
        var browserPage = new BrowserPage(context, page);
        page.Console += (_, message) =>
        {
            // An API answering 4xx is how the pages learn about invalid input or a missing sign-in; Chromium logs
            // each as "Failed to load resource". Everything else (CSP violations, script errors) counts.
            var expectedApiAnswer = message.Text.StartsWith("Failed to load resource: the server responded with a status of 4", StringComparison.Ordinal)
                && message.Location.Contains("/api/", StringComparison.Ordinal);
            if (message.Type == "error" && !expectedApiAnswer)
            {
                browserPage.Errors.Enqueue($"console: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => browserPage.Errors.Enqueue($"uncaught: {error}");
        return browserPage;
    }
}

/// <summary>A browser tab and the errors it reported; disposing closes its context.</summary>
public sealed class BrowserPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    /// <summary>Console errors (CSP violations show up here) and uncaught exceptions, in order.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    public void AssertNoErrors() => Assert.True(Errors.IsEmpty, "The browser reported errors:\n" + string.Join("\n", Errors));

    public ValueTask DisposeAsync() => context.DisposeAsync();
}
