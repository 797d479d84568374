using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.FunctionalTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Slipway.FunctionalTests.Dashboard;

/// <summary>
/// What the dashboard refuses, in a real Chromium against the real binary: a viewer's changes (no buttons, and a
/// forged POST answered 403, as the API answers its token), a POST from another site or without the anti-forgery
/// token, and any page or answer carrying a secret's value.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardSecurityTests(DashboardFixture fixture)
{
    [SkippableFact]
    public async Task Viewer_SeesNoActionButtons_AndItsForgedPostIsRefused()
    {
        Browser.Require();
        var created = await fixture.Slipway.CliAsync("tokens", "create", "dash-viewer", "--role", "viewer");
        Assert.True(created.ExitCode == 0, created.Stderr);
        var token = created.Stdout.Trim();
        Assert.Contains("viewer", created.Stderr);
        var list = await fixture.Slipway.CliAsync("tokens", "list");
        Assert.Matches(@"dash-viewer\s+viewer", list.Stdout);

        // The API reads for a viewer and refuses its writes.
        using var api = new HttpClient { BaseAddress = fixture.Url };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var read = await api.GetAsync("/api/v1/apps"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using (var write = await api.PostAsJsonAsync($"/api/v1/apps/{DashboardFixture.App}/rollback", new RollbackRequest()))
        {
            Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
            Assert.Contains("viewer role", (await write.Content.ReadFromJsonAsync<ApiError>())!.Error);
        }

        var deploymentsBefore = (await fixture.Slipway.Admin.DeploymentsAsync(DashboardFixture.App)).Count;
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardFixture.SignInAsync(page, token);
        var latest = (await fixture.Slipway.Admin.DeploymentsAsync(DashboardFixture.App))[0].Id;
        foreach (var path in new[] { "/", "/apps/web", $"/deployments/{latest}", "/edge" })
        {
            await page.GotoAsync(path);
            await Expect(page.Locator("main")).Not.ToContainTextAsync("Roll back");
            Assert.Equal(0, await page.Locator("main a.button, main form[method=post]").CountAsync());
        }

        await page.GotoAsync("/apps/web");
        await fixture.ShotAsync(page, "app-viewer-desktop");

        // Forged: the viewer's own valid anti-forgery token, posted by hand to every action.
        foreach (var action in new[] { "/apps/web/rollback", "/apps/web/deploy", "/apps/web/promote", $"/deployments/{latest}/cancel" })
        {
            var status = await page.EvaluateAsync<int>("""
                async (action) => {
                  const csrf = document.querySelector('input[name=csrf]').value;
                  const r = await fetch(action, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'csrf=' + encodeURIComponent(csrf) + '&env=prod' });
                  return r.status;
                }
                """, action);
            Assert.Equal(403, status);
        }

        var confirm = await page.GotoAsync("/apps/web/rollback");
        Assert.Equal(403, confirm!.Status);
        await Expect(page.Locator("#refusal")).ToContainTextAsync("viewer role");
        Assert.Equal(deploymentsBefore, (await fixture.Slipway.Admin.DeploymentsAsync(DashboardFixture.App)).Count);
    }

    [SkippableFact]
    public async Task PostFromAnotherSiteOrWithoutTheAntiForgeryToken_IsRefusedAndChangesNothing()
    {
        Browser.Require();
        var deploymentsBefore = (await fixture.Slipway.Admin.DeploymentsAsync(DashboardFixture.App)).Count;
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardFixture.SignInAsync(page, fixture.AdminToken);

        // Another site on the same machine (same site for cookies: the session cookie does go along) posts a form at the dashboard.
        await using var other = await OtherSiteAsync($"""
            <!doctype html><form id="f" method="post" action="{fixture.Url}apps/web/rollback"><input name="env" value="prod"></form>
            <script>document.getElementById('f').submit()</script>
            """);
        var answer = await page.RunAndWaitForResponseAsync(
            () => page.GotoAsync(other.Url),
            r => r.Url.EndsWith("/apps/web/rollback", StringComparison.Ordinal) && r.Request.Method == "POST");
        var sent = await answer.Request.AllHeadersAsync();
        Assert.Contains("slipway_session=", sent.GetValueOrDefault("cookie") ?? "");
        Assert.Equal(403, answer.Status);
        await Expect(page.Locator("#refusal")).ToContainTextAsync("came from another site");

        // From the dashboard's own origin but without the token: refused too.
        await page.GotoAsync("/apps/web");
        var status = await page.EvaluateAsync<int[]>("""
            async () => {
              const post = (body) => fetch('/apps/web/rollback', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body }).then(r => r.status);
              return [await post('env=prod'), await post('env=prod&csrf=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef')];
            }
            """);
        Assert.Equal([403, 403], status);
        Assert.Equal(deploymentsBefore, (await fixture.Slipway.Admin.DeploymentsAsync(DashboardFixture.App)).Count);
    }

    [SkippableFact]
    public async Task SecretValue_AppearsInNoPageOrAnswer_WhileItsNameAndMaskedUseDo()
    {
        Browser.Require();
        var value = "dash-secret-" + Guid.NewGuid().ToString("N");
        var spec = new TestAppSpec
        {
            App = "vault",
            Build = [("uses", "echo build uses $API_KEY")],
            Env = new Dictionary<string, string> { ["TESTAPP_PRINT_ENV"] = "API_KEY" },
            Secrets = ["API_KEY"],
        };
        await fixture.Slipway.Admin.RegisterAsync(spec.App, spec.ToYaml());
        var set = await fixture.Slipway.CliWithInputAsync(value, "secrets", "set", spec.App, "API_KEY");
        Assert.True(set.ExitCode == 0, set.Stderr);
        using var sources = new AppSources();
        var deployment = await fixture.Slipway.Admin.DeploySucceededAsync(spec.App, sources.Version(spec, "vault v1"));

        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardFixture.SignInAsync(page, fixture.AdminToken);
        var seen = new List<string>();
        foreach (var path in new[] { "/", "/?q=vault", "/apps/vault", $"/deployments/{deployment.Id}", "/edge", "/apps/vault/deploy", "/apps/vault/rollback" })
        {
            var response = await page.GotoAsync(path);
            seen.Add(await response!.TextAsync());
            seen.Add(await page.ContentAsync());
        }

        await page.GotoAsync($"/deployments/{deployment.Id}");
        await Expect(page.Locator("#log")).ToContainTextAsync("build uses ***");
        await page.GotoAsync("/apps/vault");
        await Expect(page.Locator("main")).ToContainTextAsync("API_KEY");

        // The deployment's event stream (what the page follows live) ends after its last event.
        var stream = await page.APIRequest.GetAsync($"/deployments/{deployment.Id}/events");
        Assert.Equal(200, stream.Status);
        var events = await stream.TextAsync();
        Assert.Contains("build uses ***", events);
        seen.Add(events);

        foreach (var text in seen)
        {
            Assert.DoesNotContain(value, text);
        }
    }

    /// <summary>A page of another origin on loopback, serving <paramref name="html"/> at <c>/</c>.</summary>
    private static async Task<OtherSite> OtherSiteAsync(string html)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/", () => Results.Content(html, "text/html"));
        await app.StartAsync();
        return new OtherSite(app);
    }

    private sealed class OtherSite(WebApplication app) : IAsyncDisposable
    {
        public string Url => app.Urls.First() + "/";

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
