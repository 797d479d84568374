using System.Net.Http.Json;
using Microsoft.Playwright;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Dashboard;

/// <summary>
/// A real <c>slipway up</c> with one git-sourced app, <c>web</c>, deployed twice (two releases, the second current),
/// and a Chromium to drive the dashboard with. <c>web</c>'s build step holds while <see cref="HoldFile"/> exists, so a
/// test can watch a deploy from the page while it is running. Nothing starts when Chromium is absent.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string App = "web";

    private readonly string _work = Directory.CreateTempSubdirectory("slipway-dash-").FullName;
    private SlipwayProcess? _slipway;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private GitRepository? _repository;

    internal SlipwayProcess Slipway => _slipway ?? throw new InvalidOperationException("Not started.");

    internal GitRepository Repository => _repository ?? throw new InvalidOperationException("Not started.");

    internal IBrowser Browser => _browser ?? throw new InvalidOperationException("Not started.");

    internal TestAppSpec Spec { get; private set; } = null!;

    /// <summary>While this file exists, <c>web</c>'s build prints <c>build-begins</c> and waits.</summary>
    internal string HoldFile => Path.Combine(_work, "hold");

    /// <summary>Where screenshots go: <c>SLIPWAY_SCREENSHOTS</c> (docs/dashboard.md regenerates them so), else a temp folder.</summary>
    internal string ScreenshotDir { get; } = Environment.GetEnvironmentVariable("SLIPWAY_SCREENSHOTS") is { Length: > 0 } dir
        ? Path.GetFullPath(dir)
        : Path.Combine(Path.GetTempPath(), "slipway-dashboard-shots");

    /// <summary>The releases deployed at start, oldest first, with their revisions.</summary>
    internal IReadOnlyList<(string Release, string Revision)> Baseline { get; private set; } = [];

    public Uri Url => Slipway.AdminUrl;

    /// <summary>The admin token the control plane wrote into its home.</summary>
    internal string AdminToken => Slipway.Admin.Client.DefaultRequestHeaders.Authorization!.Parameter!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Dashboard.Browser.ChromiumPath))
        {
            return;
        }

        Directory.CreateDirectory(ScreenshotDir);
        // Deploys run on a machine shared with other tests: wait for what the page shows, generously.
        Assertions.SetDefaultExpectTimeout(60_000);
        _slipway = await SlipwayProcess.StartAsync("up", null, waitForReady: true,
            environment: new Dictionary<string, string> { ["SLIPWAY_EDGE_SAMPLE_INTERVAL"] = "1s" });
        _repository = await GitRepository.CreateAsync(App);
        Spec = new TestAppSpec
        {
            App = App,
            Source = (_repository.BarePath, "main"),
            Build = [("hold", $"echo build-begins; while [ -f {HoldFile} ]; do sleep 0.1; done; echo build-released")],
        };
        await Slipway.Admin.RegisterAsync(App, Spec.ToYaml());
        var baseline = new List<(string, string)>();
        foreach (var content in new[] { "web v1", "web v2" })
        {
            var sha = await _repository.CommitAsync(content);
            await _repository.PushAsync();
            var done = await DeployRevisionAsync(sha);
            baseline.Add((done.Release!, sha));
        }

        Baseline = baseline;
        _playwright = await Playwright.CreateAsync();
        _browser = await Dashboard.Browser.LaunchAsync(_playwright);
    }

    /// <summary>Deploys <paramref name="sha"/> of <c>web</c> through the API and waits for it to succeed.</summary>
    internal async Task<DeploymentView> DeployRevisionAsync(string sha)
    {
        using var response = await Slipway.Admin.Client.PostAsJsonAsync($"/api/v1/apps/{App}/deploy?wait=true", new DeployRequest { Revision = sha }, AdminHttp.Json);
        var outcome = await response.Content.ReadFromJsonAsync<DeployOutcome>(AdminHttp.Json);
        Assert.True(response.IsSuccessStatusCode, $"deploy {sha}: {(int)response.StatusCode} {outcome?.ErrorSummary}\n{outcome?.LogTail}");
        return await Slipway.Admin.GetDeploymentAsync(outcome!.Id);
    }

    /// <summary>A fresh browser context (its own cookies), at a desktop width unless told otherwise.</summary>
    internal Task<IBrowserContext> NewContextAsync(int width = 1280, int height = 860) =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Url.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = ColorScheme.Light,
        });

    /// <summary>Signs <paramref name="page"/> in with <paramref name="token"/> through the sign-in form and waits for the apps page.</summary>
    internal static async Task SignInAsync(IPage page, string token)
    {
        await page.GotoAsync("/");
        await page.GetByLabel("API token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Apps", Exact = true })).ToBeVisibleAsync();
    }

    internal Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, name + ".png"), Scale = ScreenshotScale.Css });

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_slipway is not null)
        {
            await _slipway.DisposeAsync();
        }

        _repository?.Dispose();
        Directory.Delete(_work, recursive: true);
    }
}
