using System.Text.RegularExpressions;
using Slipway.Edge.Control;
using Slipway.FunctionalTests.Docker;
using Slipway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace Slipway.FunctionalTests.Swarm;

/// <summary>
/// <c>runtime: swarm</c> through the real binary (<c>slipway up</c> pointed at the rig's manager and registry) on a real
/// three-node swarm: each generation a service of three tasks, one per node, on the nodes' host network; the image
/// pushed once and pinned by digest; the edge routing to every node's address with the same health-gated swap, drain,
/// warm previous generation and instant rollback as on one machine; a task the swarm replaced journaled
/// (docs/scale-out.md).
/// </summary>
public sealed class SwarmDeployTests(SwarmRig rig, ITestOutputHelper output) : IClassFixture<SwarmRig>
{
    [SkippableFact]
    public async Task Deploy_ThreeReplicasOnThreeNodes_V1V2RollbackUnderLoadWithNoFailedRequestAndAReplacedTaskJournaled()
    {
        Skip.If(rig.SkipReason is not null, rig.SkipReason);
        using var sources = new DockerAppSource();
        await using var slipway = await SlipwayProcess.StartAsync("up", workingDirectory: null, waitForReady: true,
            new Dictionary<string, string>(SwarmEnvironment()) { ["SLIPWAY_RECONCILE_INTERVAL"] = "1s" });
        const string app = "fleet";
        await slipway.Admin.RegisterAsync(app, Spec(app, replicas: 3, rollbackWindow: "10m"));

        var first = await slipway.Admin.DeploySucceededAsync(app, sources.Version(app, "fleet v1"));
        Assert.Equal((System.Net.HttpStatusCode.OK, "fleet v1 g1"), await slipway.EdgeGetAsync($"{app}.test", "/"));

        // One target per task, one task per node, at the node's own address.
        using var control = new EdgeControlClient(Path.Combine(slipway.Home, "edge.sock"), TimeSpan.FromSeconds(10));
        var service = (await control.GetServiceAsync($"{app}.prod", CancellationToken.None))!;
        Assert.Equal(rig.Addresses.Order(), service.Targets.Select(t => new Uri(t.Url).Host).Order());
        Assert.All(service.Targets, t => Assert.Equal(Slipway.Edge.Control.Contracts.TargetHealth.Healthy, t.Health));

        // The service runs the image pushed to the registry, by digest, and so does the container on each node.
        var image = await rig.DockerAsync(1, "service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", $"{app}-prod-g1");
        Assert.Matches($"^{Regex.Escape(rig.Registry)}/slipway/{app}@sha256:[0-9a-f]{{64}}$", image);
        for (var node = 1; node <= SwarmRig.Nodes; node++)
        {
            var container = Assert.Single((await rig.DockerAsync(node, "ps", "-q", "--filter", $"label=com.docker.swarm.service.name={app}-prod-g1")).Split('\n'));
            Assert.Equal(image, await rig.DockerAsync(node, "inspect", "--format", "{{.Config.Image}}", container));
        }

        var log = StoreReader.Query(slipway.Home, "SELECT data_json FROM events WHERE deployment_id = $id AND type = 'deploy.log' ORDER BY seq",
            r => r.GetString(0), ("$id", first.Id));
        Assert.Contains(log, line => line.Contains($"pushed to {rig.Registry}; every node runs {image}", StringComparison.Ordinal));

        // v2, then a rollback to v1, under load: no request fails; v1 stays warm (its service as it was) and takes the
        // traffic back at once.
        await using (var load = await EdgeLoad.StartAsync(slipway.HttpUrl, $"{app}.test", body => body.StartsWith("fleet v", StringComparison.Ordinal), clients: 4))
        {
            var second = await slipway.Admin.DeploySucceededAsync(app, sources.Version(app, "fleet v2"));
            Assert.Equal(2, second.Generation);
            await load.AtLeastAsync(100);
            Assert.Equal("3", await rig.DockerAsync(1, "service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}}", $"{app}-prod-g1"));
            var (status, rollback) = await slipway.Admin.RollbackAndWaitAsync(app);
            Assert.True(status == System.Net.HttpStatusCode.OK, $"rollback: {rollback.Status} {rollback.ErrorSummary}");
            await load.AtLeastAsync(100);
            var result = await load.StopAsync();
            output.WriteLine($"load during v1 -> v2 -> rollback to v1: {result}");
            Assert.True(result.Failures == 0, result.ToString());
            Assert.Contains("fleet v2 g2", result.Bodies.Keys);
        }

        Assert.Equal((System.Net.HttpStatusCode.OK, "fleet v1 g1"), await slipway.EdgeGetAsync($"{app}.test", "/"));
        var routed = (await control.GetServiceAsync($"{app}.prod", CancellationToken.None))!;
        Assert.All(routed.Targets, t => Assert.StartsWith($"swarm:{app}-prod-g1/", t.Id, StringComparison.Ordinal));
        Assert.Equal(rig.Addresses.Order(), routed.Targets.Select(t => new Uri(t.Url).Host).Order());

        // The swarm replaces a task that dies, here maybe before the reconciler's first pass over the generation made
        // current again; the reconciler journals it all the same and the edge serves from every node again.
        var victim = await rig.DockerAsync(2, "ps", "-q", "--filter", $"label=com.docker.swarm.service.name={app}-prod-g1");
        await rig.DockerAsync(2, "kill", victim);
        try
        {
            await Poll.UntilAsync(() => Journal(slipway, app).Contains("deploy.restart.done"), TimeSpan.FromSeconds(90), "deploy.restart.done in the journal");
        }
        catch (TimeoutException e)
        {
            var tasks = await rig.DockerAsync(1, "service", "ps", "--no-trunc", "--format", "{{.Name}} {{.Node}} {{.CurrentState}} {{.DesiredState}} {{.Error}}", $"{app}-prod-g1");
            throw new TimeoutException($"{e.Message}\ntasks:\n{tasks}\njournal: {string.Join(", ", Journal(slipway, app).TakeLast(12))}\ncontrol plane log:\n{slipway.ControlPlaneLogTail(30)}", e);
        }
        var restarted = StoreReader.Query(slipway.Home, "SELECT data_json FROM events WHERE app = $app AND type = 'deploy.restart.start' ORDER BY seq",
            r => r.GetString(0), ("$app", app)).Single();
        Assert.Contains("\"swarm\"", restarted, StringComparison.Ordinal);
        var after = (await control.GetServiceAsync($"{app}.prod", CancellationToken.None))!;
        Assert.Equal(rig.Addresses.Order(), after.Targets.Select(t => new Uri(t.Url).Host).Order());
        Assert.Equal((System.Net.HttpStatusCode.OK, "fleet v1 g1"), await slipway.EdgeGetAsync($"{app}.test", "/"));
    }

    [SkippableFact]
    public async Task Deploy_ControlPlaneKilledAfterStartAfterValidateAndMidActivate_RecoversToExactlyCurrentWithNoCandidateServiceLeft()
    {
        Skip.If(rig.SkipReason is not null, rig.SkipReason);
        using var sources = new DockerAppSource();
        await using var stack = await Recovery.RecoveryStack.StartAsync(SwarmEnvironment());
        const string app = "phoenix-fleet";
        await stack.Admin.RegisterAsync(app, Spec(app, replicas: 2, rollbackWindow: "0s"));
        await stack.Admin.DeploySucceededAsync(app, sources.Version(app, "phoenix v0"));

        var version = 0;
        foreach (var (point, promoted) in new[] { ("after:start", false), ("after:validate", false), ("during:activate", true) })
        {
            version++;
            var before = stack.Pointers(app).Current;
            await using var load = await EdgeLoad.StartAsync(stack.HttpUrl, $"{app}.test", body => body.StartsWith("phoenix v", StringComparison.Ordinal), clients: 4);
            await File.WriteAllTextAsync(stack.FaultFile, point);
            var killed = stack.Server!;
            var started = await stack.Admin.DeployAsync(app, sources.Version(app, $"phoenix v{version}"));
            await Poll.UntilAsync(async () =>
            {
                try
                {
                    return killed.HasExited || await stack.Admin.GetDeploymentAsync(started.Id) is { Status: not ("queued" or "running") };
                }
                catch (HttpRequestException)
                {
                    return killed.HasExited; // it is going down
                }
            }, TimeSpan.FromSeconds(120), $"{point}: the control plane to crash there");
            if (!killed.HasExited)
            {
                Assert.Fail($"{point}: the deployment ended without reaching it: {(await stack.Admin.GetDeploymentAsync(started.Id)).ErrorSummary}");
            }

            await killed.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains($"fault injected at {point}", killed.Output, StringComparison.Ordinal);
            await stack.StartServerAsync();

            var id = stack.Query("SELECT id FROM deployments WHERE app = $app ORDER BY created_at DESC, id DESC LIMIT 1", r => r.GetString(0), ("$app", app)).Single();
            var deployment = await stack.Admin.GetDeploymentAsync(id);
            var current = stack.Pointers(app).Current;
            Assert.True(deployment.Status == (promoted ? "succeeded" : "failed"), $"{point}: {deployment.Status} ({deployment.ErrorSummary})");
            Assert.Equal(promoted ? deployment.Generation : before, current);

            // The edge routes exactly the current generation's tasks; the swarm runs no other generation's service.
            using var control = stack.EdgeControl();
            var service = (await control.GetServiceAsync($"{app}.prod", CancellationToken.None))!;
            Assert.Equal(2, service.Targets.Count);
            Assert.All(service.Targets, t => Assert.StartsWith($"swarm:{app}-prod-g{current}/", t.Id, StringComparison.Ordinal));
            await Poll.UntilAsync(async () => await rig.DockerAsync(1, "service", "ls", "--format", "{{.Name}}", "--filter", $"name={app}-prod-g") == $"{app}-prod-g{current}",
                TimeSpan.FromSeconds(60), $"{point}: only the service of generation {current} to remain");
            Assert.StartsWith(promoted ? $"phoenix v{version} " : "phoenix v", (await stack.EdgeGetAsync($"{app}.test", "/")).Body, StringComparison.Ordinal);

            await load.AtLeastAsync(20);
            var result = await load.StopAsync();
            output.WriteLine($"killed at {point}: {deployment.Status}, current g{current}; {result}");
            Assert.True(result.Failures == 0, $"{point}: {result}");
        }
    }

    /// <summary>What points Slipway at the rig's swarm.</summary>
    private Dictionary<string, string> SwarmEnvironment() => new()
    {
        ["SLIPWAY_SWARM_MANAGER"] = "unix://" + rig.Manager,
        ["SLIPWAY_SWARM_REGISTRY"] = rig.Registry,
    };

    /// <summary>A busybox app of <paramref name="replicas"/> tasks; its httpd listens on the node's address (in the node's namespace).</summary>
    private static string Spec(string app, int replicas, string rollbackWindow) => $$"""
        app: {{app}}
        build: []
        runtime: swarm
        replicas: {{replicas}}
        routes: [ { host: {{app}}.test, path: / } ]
        probes: { interval: 200ms, timeout: 2s, passes: 2, deadline: 90s }
        drain: { timeout: 5s }
        stop_grace: 2s
        rollback_window: {{rollbackWindow}}
        env:
          HTTPD_BIND: "0.0.0.0"
        """;

    private static List<string> Journal(SlipwayProcess slipway, string app) =>
        StoreReader.Query(slipway.Home, "SELECT type FROM events WHERE app = $app ORDER BY seq", r => r.GetString(0), ("$app", app));
}
