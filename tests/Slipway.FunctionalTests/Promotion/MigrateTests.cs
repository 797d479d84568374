using System.Net;
using Slipway.FunctionalTests.ControlPlane;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Promotion;

/// <summary>
/// The migrate phase: it runs before the release's first candidate, once per release (a redeploy of the same tree
/// skips it), and a failing migration fails the deploy in phase <c>migrate</c> with the old generation serving.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class MigrateTests(SlipwayFixture fixture)
{
    [Fact]
    public async Task Deploy_MigrateFails_DeployFailsInMigrateAndOldGenerationKeepsServing()
    {
        using var ledger = new MigrationLedgerFile();
        var spec = new TestAppSpec { App = "migrates", Migrate = ledger.Command };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());
        var source = fixture.Sources.Version(spec, "migrates v1");
        var v1 = await fixture.Admin.DeploySucceededAsync(spec.App, source);
        Assert.Equal([$"{v1.Release} prod"], ledger.Lines());
        Assert.True(v1.PhaseTimes["migrate"] < v1.PhaseTimes["start"], "migrate runs before the candidate starts");

        // The same tree again: its migration already ran.
        var (againStatus, again) = await fixture.Admin.DeployAndWaitAsync(spec.App, source);
        Assert.Equal(HttpStatusCode.OK, againStatus);
        Assert.Contains("migrate: already ran", again.LogTail);
        Assert.Single(ledger.Lines());

        var failing = spec with { Migrate = "echo 'applying 002_orders'; echo 'relation \"orders\" already exists' >&2; exit 4" };
        await fixture.Admin.RegisterAsync(spec.App, failing.ToYaml());
        var served = (await fixture.Slipway.EdgeGetAsync(spec.Host, "/")).Body;

        var (status, outcome) = await fixture.Admin.DeployAndWaitAsync(spec.App, fixture.Sources.Version(failing, "migrates v2"));

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal(4, outcome.ExitCode);
        Assert.StartsWith("migrate: `migrate` exited with code 4", outcome.ErrorSummary, StringComparison.Ordinal);
        Assert.Contains("relation \"orders\" already exists", outcome.ErrorSummary);
        Assert.Contains("[migrate] applying 002_orders", outcome.LogTail);
        var deployment = await fixture.Admin.GetDeploymentAsync(outcome.Id);
        Assert.Equal(("failed", "migrate"), (deployment.Status, deployment.Phase));
        Assert.Null(deployment.Generation);
        Assert.Equal((HttpStatusCode.OK, served), await fixture.Slipway.EdgeGetAsync(spec.Host, "/"));
        var release = (await fixture.Admin.ReleasesAsync(spec.App)).Single(r => r.Id == deployment.Release);
        Assert.Equal(("failed", (int?)4), (release.Migration, release.MigrationExitCode));
        Assert.Empty(release.Environments);

        // The failed release is no rollback target.
        var rollback = await fixture.Slipway.CliAsync("rollback", spec.App, "--to", release.Id);
        Assert.NotEqual(0, rollback.ExitCode);
        Assert.Contains($"Release {release.Id} never succeeded in any environment (deployment {outcome.Id} failed in phase migrate)", rollback.Stderr);
    }
}
