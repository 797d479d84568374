using System.Net;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Supervision;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Recovery;

/// <summary>docs/architecture.md §6: a dead current generation comes back by itself, and the journal says so.</summary>
[Collection(RecoveryCollection.Name)]
public sealed class AppCrashTests
{
    [Fact]
    public async Task CurrentGeneration_KilledOrLost_IsRestartedAndRestartsAreJournaled()
    {
        await using var stack = await RecoveryStack.StartAsync();
        using var sources = new AppSources();
        var spec = new TestAppSpec { App = "phoenix" };
        await stack.Admin.RegisterAsync(spec.App, spec.ToYaml());
        await stack.Admin.DeploySucceededAsync(spec.App, sources.Version(spec, "phoenix v1"));
        var processId = $"{spec.App}-prod-g1";
        using var control = stack.EdgeControl();
        var pid = (await control.GetProcessAsync(processId, CancellationToken.None))!.Pid!.Value;

        // kill -9 of the app: the edge's supervisor restarts it; the reconciler journals it.
        ProcessSignals.SignalGroup(pid, ProcessSignals.SigKill);
        await WaitServingAsync(stack, spec);
        await Poll.UntilAsync(() => RestartEvents(stack, spec.App).Contains("deploy.restart.done"), TimeSpan.FromSeconds(30), "deploy.restart.done in the journal");
        Assert.Equal(["deploy.restart.start", "deploy.restart.done"], RestartEvents(stack, spec.App));
        var restarted = await control.GetProcessAsync(processId, CancellationToken.None);
        Assert.NotEqual(pid, restarted!.Pid);

        // The edge forgets the process altogether (as after a lost state file): the reconciler starts it again.
        await control.DeleteProcessAsync(processId, TimeSpan.FromSeconds(1), CancellationToken.None);
        await Poll.UntilAsync(
            async () => await control.GetProcessAsync(processId, CancellationToken.None) is { State: ProcessState.Running },
            TimeSpan.FromSeconds(30), "the reconciler to start the current generation again");
        await WaitServingAsync(stack, spec);
        await Poll.UntilAsync(() => RestartEvents(stack, spec.App).Count(t => t == "deploy.restart.done") == 2, TimeSpan.FromSeconds(30), "a second deploy.restart.done");
        var reasons = stack.Query("SELECT data_json FROM events WHERE app = $app AND type = 'deploy.restart.start' ORDER BY seq", r => r.GetString(0), ("$app", spec.App));
        // Deleting stops the process before the edge forgets it; a reconciler tick that lands inside that
        // window sees it stopping rather than missing. Either way it is the reconciler that restarted it.
        Assert.True(
            reasons[1].Contains("missing from the edge", StringComparison.Ordinal)
                || reasons[1].Contains("its process stopp", StringComparison.Ordinal),
            reasons[1]);
    }

    private static List<string> RestartEvents(RecoveryStack stack, string app) =>
        stack.Query("SELECT type FROM events WHERE app = $app AND type LIKE 'deploy.restart.%' ORDER BY seq", r => r.GetString(0), ("$app", app));

    private static Task WaitServingAsync(RecoveryStack stack, TestAppSpec spec) =>
        Poll.UntilAsync(async () =>
        {
            var (status, body) = await stack.EdgeGetAsync(spec.Host, "/");
            return status == HttpStatusCode.OK && body.StartsWith("phoenix v1 ", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(60), "phoenix to serve again");
}
