using System.Diagnostics;
using System.Net;
using Slipway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace Slipway.FunctionalTests.Recovery;

/// <summary>
/// docs/architecture.md §1: the edge persists routes and supervised processes, so after a kill -9 and a restart it routes
/// again to the very same app processes (same pids, not restarted), and the control plane, which opens a
/// connection to the edge's socket per call, carries on without being restarted itself.
/// </summary>
[Collection(RecoveryCollection.Name)]
public sealed class EdgeCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Edge_KilledAndRestarted_RestoresRoutesReadoptsSamePidsAndControlPlaneReconnects()
    {
        await using var stack = await RecoveryStack.StartAsync();
        using var sources = new AppSources();
        var spec = new TestAppSpec { App = "edgy" };
        await stack.Admin.RegisterAsync(spec.App, spec.ToYaml());
        await stack.Admin.DeploySucceededAsync(spec.App, sources.Version(spec, "edgy v1"));
        var body = (await stack.EdgeGetAsync(spec.Host, "/")).Body;
        Assert.StartsWith("edgy v1 ", body, StringComparison.Ordinal);
        int pidBefore;
        using (var control = stack.EdgeControl())
        {
            pidBefore = (await control.GetProcessAsync($"{spec.App}-prod-g1", CancellationToken.None))!.Pid!.Value;
        }

        await stack.Edge!.KillAsync();
        var clock = Stopwatch.StartNew();
        await stack.StartEdgeAsync();
        var listening = clock.Elapsed;
        await Poll.UntilAsync(async () =>
        {
            try
            {
                return (await stack.EdgeGetAsync(spec.Host, "/")).Status == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the app to answer through the restarted edge");
        var serving = clock.Elapsed;
        output.WriteLine($"edge restart: listening after {listening.TotalMilliseconds:0} ms, app served after {serving.TotalMilliseconds:0} ms (from spawn)");

        Assert.Equal(body, (await stack.EdgeGetAsync(spec.Host, "/")).Body);
        using (var control = stack.EdgeControl())
        {
            var process = await control.GetProcessAsync($"{spec.App}-prod-g1", CancellationToken.None);
            Assert.NotNull(process);
            Assert.Equal(pidBefore, process.Pid);
            Assert.True(process.Adopted);
            Assert.Equal(0, process.Restarts);
        }

        // The same control plane process deploys through the new edge: it reconnected on its own.
        var serverPid = stack.Server!.Pid;
        var second = await stack.Admin.DeploySucceededAsync(spec.App, sources.Version(spec, "edgy v2"));
        Assert.Equal(2, second.Generation);
        Assert.Equal(serverPid, stack.Server.Pid);
        Assert.False(stack.Server.HasExited);
        Assert.StartsWith("edgy v2 ", (await stack.EdgeGetAsync(spec.Host, "/")).Body, StringComparison.Ordinal);
    }
}
