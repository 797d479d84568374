using System.Net;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.ControlPlane;

/// <summary>
/// Invariant 4: a deploy that fails or is cancelled, in any phase, leaves the previous generation serving
/// untouched, stops its candidate, and tells the user why (exit code and error summary).
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class FailedDeployTests(SlipwayFixture fixture)
{
    private const string App = "fails";
    private static readonly TestAppSpec Healthy = new() { App = App };
    private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Deploy_BuildStepFails_CliExitsOneAndSummaryNamesStepAndExitCode()
    {
        var v1 = await BaselineAsync();
        var spec = Healthy with { Build = [("check", "true"), ("compile", "echo compiling; echo 'Program.cs(3,1): error CS1002' >&2; exit 3")] };
        await fixture.Admin.RegisterAsync(App, spec.ToYaml());

        var run = await fixture.Slipway.CliAsync("deploy", App, "--from", fixture.Sources.Version(spec, "fails build"));

        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Contains("step 'compile' exited with code 3", run.Stdout + run.Stderr);
        var failed = (await fixture.Admin.DeploymentsAsync(App))[0];
        Assert.Equal("failed", failed.Status);
        Assert.Equal("build", failed.Phase);
        Assert.Equal(3, failed.ExitCode);
        Assert.Contains("step 'compile' exited with code 3", failed.ErrorSummary);
        Assert.Contains("error CS1002", failed.ErrorSummary);
        await AssertStillServesAsync(v1);
    }

    [Fact]
    public async Task Deploy_HealthNeverPasses_FailsAtDeadlineAndSaysSo()
    {
        var v1 = await BaselineAsync();
        var spec = Healthy with { Env = new Dictionary<string, string> { ["TESTAPP_FAIL_HEALTH"] = "1" }, Deadline = "2s" };
        await fixture.Admin.RegisterAsync(App, spec.ToYaml());

        var (status, outcome) = await fixture.Admin.DeployAndWaitAsync(App, fixture.Sources.Version(spec, "fails health"));

        AssertFailed(status, outcome, "validate: the candidate did not pass its probes 2 times in a row within 2s");
        Assert.Contains("/healthz answered 500", outcome.ErrorSummary);
        await AssertStillServesAsync(v1);
        var failedRelease = (await fixture.Admin.GetDeploymentAsync(outcome.Id)).Release;
        var releases = await fixture.Admin.ReleasesAsync(App);
        Assert.Equal("failed", releases.Single(r => r.Id == failedRelease).Environments["prod"]);
    }

    [Fact]
    public async Task Deploy_VersionReportsAnotherDigest_FailsSayingAnotherBuild()
    {
        var v1 = await BaselineAsync();
        var spec = Healthy with { Env = new Dictionary<string, string> { ["TESTAPP_WRONG_DIGEST"] = "1" } };
        await fixture.Admin.RegisterAsync(App, spec.ToYaml());

        var (status, outcome) = await fixture.Admin.DeployAndWaitAsync(App, fixture.Sources.Version(spec, "fails digest"));

        AssertFailed(status, outcome, "the candidate serves another build");
        Assert.Contains("digest sha256:0000", outcome.ErrorSummary);
        await AssertStillServesAsync(v1);
    }

    [Fact]
    public async Task Deploy_CandidateExitsAtStart_FailsWithItsExitCodeAndLastOutput()
    {
        var v1 = await BaselineAsync();
        var spec = Healthy with { Env = new Dictionary<string, string> { ["TESTAPP_EXIT_AT_START"] = "7" } };
        await fixture.Admin.RegisterAsync(App, spec.ToYaml());

        var (status, outcome) = await fixture.Admin.DeployAndWaitAsync(App, fixture.Sources.Version(spec, "fails exit"));

        AssertFailed(status, outcome, "exited with code 7");
        Assert.Contains("testapp: exiting at start with code 7", outcome.ErrorSummary);
        Assert.Equal(7, outcome.ExitCode);
        await AssertStillServesAsync(v1);
    }

    [Fact]
    public async Task Cancel_DuringBuild_EndsCancelledQuickly()
    {
        var v1 = await BaselineAsync();
        var spec = Healthy with { Build = [("wait", "sleep 30")] };
        await fixture.Admin.RegisterAsync(App, spec.ToYaml());
        var started = await fixture.Admin.DeployAsync(App, fixture.Sources.Version(spec, "cancel build"));
        await fixture.Admin.WaitForAsync(started.Id, d => d.Phase == "build", Quickly, "the build phase");

        await fixture.Admin.CancelAsync(started.Id);

        // Far sooner than the 30 s the step would sleep: the step's process group is killed.
        var ended = await fixture.Admin.WaitUntilTerminalAsync(started.Id, Quickly);
        Assert.Equal("cancelled", ended.Status);
        Assert.Equal("cancelled during build", ended.ErrorSummary);
        await AssertStillServesAsync(v1);
    }

    [Fact]
    public async Task Cancel_DuringValidation_EndsCancelledAndStopsCandidate()
    {
        var v1 = await BaselineAsync();
        var spec = Healthy with { Env = new Dictionary<string, string> { ["TESTAPP_FAIL_HEALTH"] = "1" }, Deadline = "60s" };
        await fixture.Admin.RegisterAsync(App, spec.ToYaml());
        var started = await fixture.Admin.DeployAsync(App, fixture.Sources.Version(spec, "cancel validate"));
        await fixture.Admin.WaitForAsync(started.Id, d => d.Phase == "validate", Quickly, "the validate phase");

        await fixture.Admin.CancelAsync(started.Id);

        var ended = await fixture.Admin.WaitUntilTerminalAsync(started.Id, Quickly);
        Assert.Equal("cancelled", ended.Status);
        Assert.Equal("cancelled during validate", ended.ErrorSummary);
        await AssertStillServesAsync(v1);
    }

    /// <summary>The app registered healthy with generation 1 serving; what its <c>/</c> answers.</summary>
    private Task<string> BaselineAsync() => fixture.OnceAsync(App, async () =>
    {
        await fixture.Admin.RegisterAsync(App, Healthy.ToYaml());
        await fixture.Admin.DeploySucceededAsync(App, fixture.Sources.Version(Healthy, "fails v1"));
        return (await fixture.Slipway.EdgeGetAsync(Healthy.Host, "/")).Body;
    });

    private static void AssertFailed(HttpStatusCode status, DeployOutcome outcome, string summary)
    {
        Assert.True(status == HttpStatusCode.InternalServerError, $"{(int)status} {outcome.Status}: {outcome.ErrorSummary}");
        Assert.Equal("failed", outcome.Status);
        Assert.NotNull(outcome.ErrorSummary);
        Assert.Contains(summary, outcome.ErrorSummary);
    }

    /// <summary>The very generation that served before (its body names it) still serves, and no candidate is left running.</summary>
    private async Task AssertStillServesAsync(string v1Body)
    {
        Assert.Equal((HttpStatusCode.OK, v1Body), await fixture.Slipway.EdgeGetAsync(Healthy.Host, "/"));
        Assert.Equal("fails v1 gen=1", v1Body);
        await Poll.UntilAsync(
            () => fixture.Slipway.SupervisedProcesses().Keys.Where(id => id.StartsWith(App + "-", StringComparison.Ordinal)).SequenceEqual([App + "-prod-g1"]),
            Quickly,
            "only generation 1 of the app to be running");
    }
}
