using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.FunctionalTests.ControlPlane;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Promotion;

/// <summary>
/// Invariant 8 through the real binary: with <c>environments: [test, prod]</c> a release is deployed to test, then the
/// same release (same digest, nothing rebuilt) is promoted to prod, automatically or by <c>slipway promote</c>; a
/// release that fails test never reaches prod; bad promotion requests change nothing.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class PromotionTests(SlipwayFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Deploy_AutoPromote_ProdServesTheDigestValidatedInTestAndMigrateRunsOnce()
    {
        using var ledger = new MigrationLedgerFile();
        var spec = new TestAppSpec { App = "promo-auto", TestAndProd = true, Migrate = ledger.Command };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());

        var (status, outcome) = await fixture.Admin.DeployAndWaitAsync(spec.App, fixture.Sources.Version(spec, "promo-auto v1"));

        Assert.True(status == HttpStatusCode.OK, $"{outcome.Status}: {outcome.ErrorSummary}\n{outcome.LogTail}");
        Assert.NotNull(outcome.Promotion);
        var test = await fixture.Admin.GetDeploymentAsync(outcome.Id);
        var prod = await fixture.Admin.WaitUntilTerminalAsync(outcome.Promotion, Deadline);
        Assert.True(prod.Status == "succeeded", $"{prod.Status} in {prod.Phase}: {prod.ErrorSummary}");
        Assert.Equal(("test", "prod", "promote"), (test.Env, prod.Env, prod.Kind));
        Assert.Equal(("test", test.Id), (prod.PromotedFrom, prod.ValidatedBy));
        Assert.Equal(test.Release, prod.Release);
        Assert.DoesNotContain("build", prod.PhaseTimes.Keys);
        Assert.DoesNotContain("source", prod.PhaseTimes.Keys);

        // Each environment's own route answers with the digest its generation was started from.
        Assert.Equal(test.Digest, await VersionDigestAsync(spec.TestHost));
        Assert.Equal(test.Digest, await VersionDigestAsync(spec.Host));
        Assert.Equal([$"{test.Release} test"], ledger.Lines());
        var release = Assert.Single(await fixture.Admin.ReleasesAsync(spec.App));
        Assert.Equal("current", release.Environments["test"]);
        Assert.Equal("current", release.Environments["prod"]);
        Assert.Equal("succeeded", release.Migration);

        // A release that fails its test probes is never promoted: prod keeps serving v1.
        var failing = spec with { Env = new Dictionary<string, string> { ["TESTAPP_FAIL_HEALTH"] = "1" }, Deadline = "2s" };
        await fixture.Admin.RegisterAsync(spec.App, failing.ToYaml());
        var (failedStatus, failed) = await fixture.Admin.DeployAndWaitAsync(spec.App, fixture.Sources.Version(failing, "promo-auto v2"));

        Assert.Equal(HttpStatusCode.InternalServerError, failedStatus);
        Assert.StartsWith("validate:", failed.ErrorSummary, StringComparison.Ordinal);
        Assert.Null(failed.Promotion);
        Assert.Equal(test.Digest, await VersionDigestAsync(spec.Host));
        Assert.StartsWith("promo-auto v1 ", (await fixture.Slipway.EdgeGetAsync(spec.Host, "/")).Body, StringComparison.Ordinal);
        Assert.Single(await fixture.Admin.DeploymentsAsync(spec.App), d => d.Kind == "promote");
    }

    [Fact]
    public async Task Promote_ManualWithCli_RunsTheTestedReleaseInProdAndRefusesBadRequests()
    {
        using var ledger = new MigrationLedgerFile();
        var spec = new TestAppSpec { App = "promo-manual", TestAndProd = true, Promote = "manual", Migrate = ledger.Command };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());
        var v1 = await fixture.Admin.DeploySucceededAsync(spec.App, fixture.Sources.Version(spec, "promo-manual v1"));
        Assert.Equal("test", v1.Env);
        Assert.Null(v1.Promotion);
        Assert.Null((await AppAsync(spec.App)).Environments.Single(e => e.Env == "prod").Release);

        var run = await fixture.Slipway.CliAsync("promote", spec.App, "--to", "prod");

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Contains("promote promo-manual from test to prod", run.Stdout);
        Assert.Contains($"promote: release {v1.Release}", run.Stdout);
        Assert.Equal(v1.Digest, await VersionDigestAsync(spec.Host));
        Assert.Equal(v1.Digest, await VersionDigestAsync(spec.TestHost));
        Assert.Single(ledger.Lines()); // the promotion did not migrate again

        // Bad input: clear errors, and nothing is queued.
        var deployments = (await fixture.Admin.DeploymentsAsync(spec.App)).Count;
        var unknown = await fixture.Slipway.CliAsync("promote", spec.App, "--to", "staging");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("'staging' is not one of promo-manual's environments (test, prod)", unknown.Stderr);
        await AssertRefusedAsync(spec.App, new PromoteRequest { To = "prdo" }, HttpStatusCode.BadRequest, "did you mean 'prod'?");
        await AssertRefusedAsync(spec.App, new PromoteRequest { To = "test" }, HttpStatusCode.BadRequest, "'test' is promo-manual's first environment");
        await AssertRefusedAsync(spec.App, new PromoteRequest { To = "prod", Release = "r-nope" }, HttpStatusCode.NotFound, "Release 'r-nope' of promo-manual is not known");
        await AssertRefusedAsync(spec.App, new PromoteRequest { To = "prod" }, HttpStatusCode.Conflict, "already current in promo-manual/prod");
        using (var deployToProd = await fixture.Admin.Client.PostAsJsonAsync($"/api/v1/apps/{spec.App}/deploy", new DeployRequest { From = "/", Env = "prod" }, AdminHttp.Json))
        {
            Assert.Equal(HttpStatusCode.BadRequest, deployToProd.StatusCode);
            var error = JsonSerializer.Deserialize<ApiError>(await deployToProd.Content.ReadAsStringAsync(), AdminHttp.Json)!.Error;
            Assert.Contains("receives releases by promotion from 'test'", error);
        }

        Assert.Equal(deployments, (await fixture.Admin.DeploymentsAsync(spec.App)).Count);

        // A release that failed in test cannot be promoted, even by name.
        var failing = spec with { Env = new Dictionary<string, string> { ["TESTAPP_FAIL_HEALTH"] = "1" }, Deadline = "2s" };
        await fixture.Admin.RegisterAsync(spec.App, failing.ToYaml());
        var (status, failed) = await fixture.Admin.DeployAndWaitAsync(spec.App, fixture.Sources.Version(failing, "promo-manual v2"));
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        var failedRelease = (await fixture.Admin.GetDeploymentAsync(failed.Id)).Release!;

        var refused = await fixture.Slipway.CliAsync("promote", spec.App, "--to", "prod", "--release", failedRelease);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"Release {failedRelease} did not pass test (deployment {failed.Id} failed in phase validate)", refused.Stderr);
        Assert.Equal(deployments + 1, (await fixture.Admin.DeploymentsAsync(spec.App)).Count);
        Assert.Equal(v1.Digest, await VersionDigestAsync(spec.Host));

        var ledgerView = await fixture.Slipway.CliAsync("releases", spec.App);
        Assert.True(ledgerView.ExitCode == 0, ledgerView.Stderr);
        Assert.Contains("test ✓ (current)  prod ✓ (current)", ledgerView.Stdout);
        Assert.Contains("test ✗", ledgerView.Stdout);
        Assert.Contains(v1.Digest![..19], ledgerView.Stdout);
    }

    private async Task AssertRefusedAsync(string app, PromoteRequest request, HttpStatusCode expected, string message)
    {
        using var response = await fixture.Admin.Client.PostAsJsonAsync($"/api/v1/apps/{app}/promote", request, AdminHttp.Json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{request}: {(int)response.StatusCode} {body}");
        Assert.Contains(message, JsonSerializer.Deserialize<ApiError>(body, AdminHttp.Json)!.Error);
    }

    private async Task<AppView> AppAsync(string app)
    {
        using var response = await fixture.Admin.Client.GetAsync($"/api/v1/apps/{app}");
        return (await response.Content.ReadFromJsonAsync<AppView>(AdminHttp.Json))!;
    }

    /// <summary>The digest the generation behind <paramref name="host"/> reports at its version endpoint, through the edge.</summary>
    private async Task<string?> VersionDigestAsync(string host)
    {
        var (status, body) = await fixture.Slipway.EdgeGetAsync(host, "/version");
        Assert.True(status == HttpStatusCode.OK, $"{host}/version: {(int)status} {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("digest").GetString();
    }
}
