using System.Globalization;
using Microsoft.Playwright;
using Slipway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Slipway.FunctionalTests.Dashboard;

/// <summary>The edge page's live figures, and the apps page with 200 apps (its first paint is reported, never asserted).</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardScaleTests(DashboardFixture fixture, ITestOutputHelper output)
{
    [SkippableFact]
    public async Task EdgePage_ShowsTheServiceTargetsAndItsTrafficCharts()
    {
        Browser.Require();
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardFixture.SignInAsync(page, fixture.AdminToken);
        var service = page.Locator("section.service[data-service='web.prod']");

        // Traffic through the edge until a sample has seen it: bounded in count and time.
        var sent = 0;
        await Poll.UntilAsync(async () =>
        {
            for (var i = 0; i < 20 && sent < 2_000; i++, sent++)
            {
                await fixture.Slipway.EdgeGetAsync(fixture.Spec.Host, "/");
            }

            await page.GotoAsync("/edge");
            var title = await service.Locator("figure.spark svg title").First.TextContentAsync();
            return title is not null && title.Contains("highest", StringComparison.Ordinal) && !title.Contains("highest 0 ", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(90), "a requests/s figure above zero for web.prod on the edge page");

        await Expect(service.Locator("tbody tr").First).ToContainTextAsync("healthy");
        await Expect(service.Locator("tbody tr").First).ToContainTextAsync("serving");
        Assert.True(await service.Locator("figure.spark polyline").CountAsync() >= 1);
        await Expect(service.Locator(".totals")).ToContainTextAsync("in flight");
        await fixture.ShotAsync(page, "edge-desktop");
    }

    [SkippableFact]
    public async Task AppsPage_With200Apps_ListsThemAll_AndReportsItsFirstPaint()
    {
        Browser.Require();
        await using var slipway = await SlipwayProcess.UpAsync();
        for (var i = 0; i < 200; i++)
        {
            var spec = new TestAppSpec { App = $"app-{i:D3}" };
            await slipway.Admin.RegisterAsync(spec.App, spec.ToYaml());
        }

        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = slipway.AdminUrl.ToString() });
        var page = await context.NewPageAsync();
        await DashboardFixture.SignInAsync(page, slipway.Admin.Client.DefaultRequestHeaders.Authorization!.Parameter!);
        var timings = new List<(double Paint, double Response)>();
        for (var run = 0; run < 5; run++)
        {
            await page.GotoAsync("/");
            await Expect(page.Locator("[data-count]")).ToHaveTextAsync("200 of 200 apps");
            var paint = await page.EvaluateAsync<double[]>("""
                () => {
                  const nav = performance.getEntriesByType('navigation')[0];
                  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                  return [fcp ? fcp.startTime : -1, nav.responseEnd - nav.requestStart];
                }
                """);
            timings.Add((paint[0], paint[1]));
        }

        Assert.Equal(200, await page.Locator("#apps tbody tr").CountAsync());
        var line = "apps page, 200 apps: first contentful paint " + string.Join(", ", timings.Select(t => t.Paint.ToString("0", CultureInfo.InvariantCulture))) + " ms; "
            + "server answer (request start to response end) " + string.Join(", ", timings.Select(t => t.Response.ToString("0", CultureInfo.InvariantCulture))) + " ms";
        output.WriteLine(line);
        await File.WriteAllTextAsync(Path.Combine(fixture.ScreenshotDir, "first-paint.txt"), line + "\n");

        // Typing filters the rows at once.
        await page.GetByLabel("Filter by name").FillAsync("app-19");
        await Expect(page.Locator("[data-count]")).ToHaveTextAsync("10 of 200 apps");
        Assert.Equal(10, await page.Locator("#apps tbody tr:not([hidden])").CountAsync());
    }
}
