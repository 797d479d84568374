using Microsoft.Playwright;

namespace Slipway.FunctionalTests.Dashboard;

/// <summary>
/// Debian's Chromium driven headless by Playwright (no browser download is possible here, so Playwright launches
/// the system binary). Without it the dashboard tests skip with the reason, unless <c>SLIPWAY_REQUIRE_BROWSER=1</c>
/// (set by <c>.ci/run</c>), where a skip would hide that CI never opened the dashboard: then they fail.
/// </summary>
internal static class Browser
{
    public const string ChromiumPath = "/usr/lib/chromium/chromium";

    public static void Require()
    {
        if (File.Exists(ChromiumPath))
        {
            return;
        }

        var missing = $"no Chromium at {ChromiumPath} (apt-get install chromium)";
        if (Environment.GetEnvironmentVariable("SLIPWAY_REQUIRE_BROWSER") == "1")
        {
            throw new InvalidOperationException($"SLIPWAY_REQUIRE_BROWSER=1 but {missing}.");
        }

        Skip.If(true, $"Dashboard tests need a browser: {missing}.");
    }

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
            ],
        });
}
