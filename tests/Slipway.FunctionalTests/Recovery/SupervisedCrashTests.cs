using System.Net;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Recovery;

/// <summary>
/// Under <c>slipway up</c> the control plane is the edge's supervised process <c>slipway</c>: killed mid-deploy
/// (SLIPWAY_FAULT with SLIPWAY_FAULT_ONCE_FILE, inherited through <c>up</c>), it is restarted by the edge with
/// the same environment, does not crash again, recovers, and the app never stops answering.
/// </summary>
[Collection(RecoveryCollection.Name)]
public sealed class SupervisedCrashTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("slipway-once-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Up_ControlPlaneKilledAfterValidate_EdgeRestartsItOnceAndDeployEndsFailedWithNoFailedRequest()
    {
        var once = Path.Combine(_scratch, "fired");
        // Disarmed while the baseline deploys: the fault fires only while this file does not exist.
        await File.WriteAllTextAsync(once, "");
        await using var slipway = await SlipwayProcess.StartAsync("up", workingDirectory: null, waitForReady: true, new Dictionary<string, string>
        {
            ["SLIPWAY_FAULT"] = "after:validate",
            ["SLIPWAY_FAULT_ONCE_FILE"] = once,
            ["SLIPWAY_LEASE_DURATION"] = "3s",
            ["SLIPWAY_RECONCILE_INTERVAL"] = "300ms",
        });
        using var sources = new AppSources();
        var spec = new TestAppSpec { App = "supervised" };
        await slipway.Admin.RegisterAsync(spec.App, spec.ToYaml());
        await slipway.Admin.DeploySucceededAsync(spec.App, sources.Version(spec, "supervised v1"));
        var controlPlanePid = slipway.SupervisedProcesses()["slipway"];

        await using var load = await EdgeLoad.StartAsync(slipway.HttpUrl, spec.Host, body => body.StartsWith("supervised v", StringComparison.Ordinal), 4);
        File.Delete(once);
        var deployment = await slipway.Admin.DeployAsync(spec.App, sources.Version(spec, "supervised v2"));
        await Poll.UntilAsync(() => File.Exists(once), TimeSpan.FromSeconds(90), "the fault to fire");

        var ended = await Poll.ForAsync(
            async () =>
            {
                try
                {
                    return await slipway.Admin.GetDeploymentAsync(deployment.Id);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException)
                {
                    return null; // the control plane is down or still recovering
                }
            },
            d => d is { Status: not ("queued" or "running") },
            TimeSpan.FromSeconds(90),
            "the interrupted deployment to end after the control plane came back");
        // Recovery ends the deployment first and reports ready once routes are checked too; writes wait for that.
        await slipway.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        await load.AtLeastAsync(40);
        var result = await load.StopAsync();

        Assert.Equal("failed", ended!.Status);
        Assert.StartsWith("validate: interrupted", ended.ErrorSummary, StringComparison.Ordinal);
        Assert.True(result.Failures == 0, result.ToString());
        Assert.NotEqual(controlPlanePid, slipway.SupervisedProcesses()["slipway"]);
        Assert.StartsWith("supervised v1 ", (await slipway.EdgeGetAsync(spec.Host, "/")).Body, StringComparison.Ordinal);

        // Restarted with the same environment, it does not crash again: the next deploy goes through.
        var third = await slipway.Admin.DeploySucceededAsync(spec.App, sources.Version(spec, "supervised v3"));
        Assert.Equal(HttpStatusCode.OK, (await slipway.EdgeGetAsync(spec.Host, "/")).Status);
        Assert.StartsWith("supervised v3 ", (await slipway.EdgeGetAsync(spec.Host, "/")).Body, StringComparison.Ordinal);
        Assert.Equal("succeeded", third.Status);
    }
}
