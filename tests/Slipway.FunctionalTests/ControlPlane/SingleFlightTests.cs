using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.ControlPlane;

/// <summary>Invariant 6: at most one deployment of an app runs and one waits; repeats coalesce, newer requests supersede.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class SingleFlightTests(SlipwayFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Deploy_SameRevisionThreeTimesRapidly_OneDeployment()
    {
        var spec = new TestAppSpec { App = "coalesce", Build = [("slow", "sleep 2")] };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());
        var from = fixture.Sources.Version(spec, "coalesce v1");

        var requests = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => fixture.Admin.DeployAsync(spec.App, from)));

        Assert.Single(requests.Select(r => r.Id).Distinct());
        Assert.Equal(2, requests.Count(r => r.Coalesced));
        var ended = await fixture.Admin.WaitUntilTerminalAsync(requests[0].Id, Deadline);
        Assert.Equal("succeeded", ended.Status);
        Assert.Equal([requests[0].Id], (await fixture.Admin.DeploymentsAsync(spec.App)).Select(d => d.Id));
    }

    [Fact]
    public async Task Deploy_WhileOneRunsAndOneQueued_NewRequestSupersedesQueuedAndRunsNext()
    {
        var spec = new TestAppSpec { App = "supersede", Build = [("slow", "sleep 2")] };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());

        var a = await fixture.Admin.DeployAsync(spec.App, fixture.Sources.Version(spec, "supersede a"));
        await fixture.Admin.WaitForAsync(a.Id, d => d.Phase == "build", Deadline, "A to be building");
        var b = await fixture.Admin.DeployAsync(spec.App, fixture.Sources.Version(spec, "supersede b"));
        Assert.Equal("queued", b.Status);
        var c = await fixture.Admin.DeployAsync(spec.App, fixture.Sources.Version(spec, "supersede c"));

        Assert.Equal("queued", c.Status);
        Assert.False(c.Coalesced);
        var superseded = await fixture.Admin.GetDeploymentAsync(b.Id);
        Assert.Equal("superseded", superseded.Status);
        Assert.Equal(c.Id, superseded.SupersededBy);
        Assert.Null(superseded.StartedAt);
        Assert.Equal("running", (await fixture.Admin.GetDeploymentAsync(a.Id)).Status);

        var endedC = await fixture.Admin.WaitUntilTerminalAsync(c.Id, Deadline);
        var endedA = await fixture.Admin.GetDeploymentAsync(a.Id);
        Assert.Equal("succeeded", endedA.Status);
        Assert.Equal("succeeded", endedC.Status);
        Assert.True(endedC.StartedAt >= endedA.FinishedAt, $"C started {endedC.StartedAt:O}, before A finished {endedA.FinishedAt:O}");
        Assert.StartsWith("supersede c ", (await fixture.Slipway.EdgeGetAsync(spec.Host, "/")).Body, StringComparison.Ordinal);
    }
}
