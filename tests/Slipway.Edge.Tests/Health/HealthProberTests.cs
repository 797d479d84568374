using System.Net;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Tests.Forwarding;

namespace Slipway.Edge.Tests.Health;

public sealed class HealthProberTests
{
    [Fact]
    public async Task Probes_TargetTurnsSickAfterDeploy_IsMarkedUnhealthyAndThenHealthyAgain()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [a]);
        string Health() => edge.Registry.Get("app")!.Targets[0].Health;
        Assert.Equal("healthy", Health());

        a.Healthy = false;
        await Poll.UntilAsync(() => Health() == "unhealthy", TimeSpan.FromSeconds(10), "the target to turn unhealthy");
        Assert.Equal(503, edge.Registry.Get("app")!.Targets[0].LastProbe!.Status);

        a.Healthy = true;
        await Poll.UntilAsync(() => Health() == "healthy", TimeSpan.FromSeconds(10), "the target to recover");
    }

    [Fact]
    public async Task PassiveFailures_ConnectErrors_MarkTargetUnhealthyWithoutWaitingForProbes()
    {
        var a = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        var slowProbes = new HealthCheckDefinition { IntervalMs = 60_000, HealthyThreshold = 1, UnhealthyThreshold = 2 };
        await edge.AddServiceAsync("app", [a], new ServiceDefinition
        {
            Routes = [new RouteDefinition { Host = "*", Path = "/" }],
            Health = slowProbes,
            PauseTimeoutMs = 200,
        });
        await a.DisposeAsync();

        using var first = await edge.Client.GetAsync("/");
        using var second = await edge.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.BadGateway, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, second.StatusCode);
        Assert.Equal("unhealthy", edge.Registry.Get("app")!.Targets[0].Health);

        // No healthy target left: the request is held briefly, then answered 503.
        using var third = await edge.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
    }
}
