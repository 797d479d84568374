using System.Net;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Forwarding;
using Slipway.Edge.Health;
using Slipway.Edge.Services;
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
        TargetHealth Health() => edge.Registry.Get("app")!.Targets[0].Health;
        Assert.Equal(TargetHealth.Healthy, Health());

        a.Healthy = false;
        await Poll.UntilAsync(() => Health() == TargetHealth.Unhealthy, TimeSpan.FromSeconds(10), "the target to turn unhealthy");
        Assert.Equal(503, edge.Registry.Get("app")!.Targets[0].LastProbe!.Status);

        a.Healthy = true;
        await Poll.UntilAsync(() => Health() == TargetHealth.Healthy, TimeSpan.FromSeconds(10), "the target to recover");
    }

    [Fact]
    public async Task ProbeOnceAsync_GrpcKind_AsksTheGrpcHealthServiceAndReportsWhatItAnswered()
    {
        await using var backend = await GrpcHealthBackend.StartAsync();
        await using var http1Only = await TestBackend.StartAsync("http1");
        using var prober = new HealthProber(TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var target = new Target("grpc", new Uri(backend.Url));
        HealthCheckDefinition Check(string service) => new() { Kind = HealthCheckKind.Grpc, GrpcService = service, TimeoutMs = 5_000 };

        var serving = await prober.ProbeOnceAsync(target, Check(""), CancellationToken.None, BackendProtocol.H2c);
        Assert.True(serving.Ok, serving.Error);

        backend.Health.SetStatus("acme.Greeter", Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing);
        var notServing = await prober.ProbeOnceAsync(target, Check("acme.Greeter"), CancellationToken.None, BackendProtocol.H2c);
        Assert.False(notServing.Ok);
        Assert.Contains("NOT_SERVING", notServing.Error, StringComparison.Ordinal);

        var unknown = await prober.ProbeOnceAsync(target, Check("acme.Missing"), CancellationToken.None, BackendProtocol.H2c);
        Assert.False(unknown.Ok);
        Assert.Contains("grpc-status 5", unknown.Error, StringComparison.Ordinal);

        // An app without gRPC (HTTP/1.1 only) fails the check rather than passing it.
        var notGrpc = await prober.ProbeOnceAsync(new Target("http1", new Uri(http1Only.Url)), Check(""), CancellationToken.None, BackendProtocol.H2c);
        Assert.False(notGrpc.Ok);
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
        Assert.Equal(TargetHealth.Unhealthy, edge.Registry.Get("app")!.Targets[0].Health);

        // No healthy target left: the request is held briefly, then answered 503.
        using var third = await edge.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
    }
}
