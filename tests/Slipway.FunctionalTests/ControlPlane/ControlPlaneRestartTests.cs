using System.Net;
using Slipway.Edge.Supervision;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.ControlPlane;

/// <summary>
/// The control plane is stateless apart from its store: when its process dies, the edge keeps serving apps,
/// restarts it, and it comes back with every app, release and deployment, ready to deploy again.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class ControlPlaneRestartTests(SlipwayFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task KillControlPlane_BetweenDeploys_AppsKeepServingAndNothingIsLost()
    {
        // Its own instance: killing the shared one's control plane would disturb the other classes' tests.
        await using var slipway = await SlipwayProcess.UpAsync();
        var spec = new TestAppSpec { App = "survive" };
        await slipway.Admin.RegisterAsync(spec.App, spec.ToYaml());
        await slipway.Admin.DeploySucceededAsync(spec.App, fixture.Sources.Version(spec, "survive v1"));
        var v2 = await slipway.Admin.DeploySucceededAsync(spec.App, fixture.Sources.Version(spec, "survive v2"));
        var apps = await slipway.Admin.AppsAsync();
        var releases = await slipway.Admin.ReleasesAsync(spec.App);
        var deployments = await slipway.Admin.DeploymentsAsync(spec.App);
        var servedBefore = (await slipway.EdgeGetAsync(spec.Host, "/")).Body;
        var controlPlane = slipway.SupervisedProcesses()["slipway"];

        await using var load = await EdgeLoad.StartAsync(slipway.HttpUrl, spec.Host, body => body == servedBefore);
        Assert.True(ProcessSignals.SignalGroup(controlPlane, ProcessSignals.SigKill), $"no process group {controlPlane}");
        await Poll.UntilAsync(
            () => slipway.SupervisedProcesses().TryGetValue("slipway", out var pid) && pid != controlPlane,
            Deadline,
            "the edge to restart the control plane");
        await slipway.WaitUntilReadyAsync(Deadline);
        await load.AtLeastAsync(100);
        var result = await load.StopAsync();

        Assert.True(result.Failures == 0, result.ToString());
        Assert.Equivalent(apps, await slipway.Admin.AppsAsync());
        Assert.Equivalent(releases, await slipway.Admin.ReleasesAsync(spec.App));
        Assert.Equivalent(deployments, await slipway.Admin.DeploymentsAsync(spec.App));
        Assert.Equal(v2.Release, Assert.Single(apps).Environments[0].Release);

        // The re-adopted generation still serves, and the next deploy goes through as before.
        Assert.Equal((HttpStatusCode.OK, servedBefore), await slipway.EdgeGetAsync(spec.Host, "/"));
        await slipway.Admin.DeploySucceededAsync(spec.App, fixture.Sources.Version(spec, "survive v3"));
        Assert.StartsWith("survive v3 ", (await slipway.EdgeGetAsync(spec.Host, "/")).Body, StringComparison.Ordinal);
        Assert.Equal(3, (await slipway.Admin.ReleasesAsync(spec.App)).Count);
    }
}
