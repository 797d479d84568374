using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Pipeline.Build;
using Slipway.ControlPlane.Processes;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.ControlPlane.Tests.IO;
using Slipway.ControlPlane.Tests.Processes;

namespace Slipway.ControlPlane.Tests.Pipeline.Build;

public sealed class BuildRunnerTests : IDisposable
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    private readonly ScratchDirectory _dir = new();
    private readonly string _workspace;
    private readonly DeployLog _log;
    private readonly BuildRunner _runner = new(new ProcessGroupRunner(TimeProvider.System, TimeSpan.FromMilliseconds(500)));

    public BuildRunnerTests()
    {
        _workspace = _dir.Combine("workspace");
        Directory.CreateDirectory(_workspace);
        _log = new DeployLog(_dir.Combine("deploy.log"), new Redactor(["hunter2"]));
    }

    public void Dispose()
    {
        _log.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task RunAsync_AllStepsSucceed_RunsInOrderInTheWorkspaceAndReturnsGates()
    {
        BuildStep[] steps =
        [
            new() { Name = "compile", Run = "echo \"$TARGET\" > out.txt" },
            new() { Name = "test", Run = "grep -q release out.txt && echo ok" },
        ];
        var env = new Dictionary<string, string> { ["TARGET"] = "release" };

        var gates = await _runner.RunAsync(steps, _workspace, env, _log, CancellationToken.None);

        Assert.Equal(["compile", "test"], gates.Select(g => g.Name));
        Assert.All(gates, g => Assert.Equal(0, g.ExitCode));
        Assert.All(gates, g => Assert.True(g.DurationMs >= 0));
        Assert.Equal("release\n", File.ReadAllText(Path.Combine(_workspace, "out.txt")));
        Assert.Contains("[test] ok", _log.LastLines(100));
    }

    [Fact]
    public async Task RunAsync_FailingStep_FailsWithExitCodeAndLastLinesAndSkipsLaterSteps()
    {
        BuildStep[] steps =
        [
            new() { Name = "publish", Run = "echo restoring; echo 'error CS1002: ; expected' >&2; exit 1" },
            new() { Name = "never", Run = "touch never-ran" },
        ];

        var ex = await Assert.ThrowsAsync<DeployFailedException>(
            () => _runner.RunAsync(steps, _workspace, NoEnvironment, _log, CancellationToken.None));

        Assert.Equal(DeploymentPhase.Build, ex.Phase);
        Assert.Equal(1, ex.ExitCode);
        Assert.StartsWith("step 'publish' exited with code 1:", ex.Summary);
        Assert.Contains("restoring", ex.Summary);
        Assert.Contains("error CS1002: ; expected", ex.Summary);
        Assert.False(File.Exists(Path.Combine(_workspace, "never-ran")));
        Assert.Contains("[publish] error CS1002: ; expected", _log.LastLines(100));
    }

    [Fact]
    public async Task RunAsync_StepTimesOut_FailsSayingSoAndKillsItsChildren()
    {
        var pid = 0;
        var log = new DeployLog(_dir.Combine("timeout.log"), onLine: line =>
        {
            if (line.StartsWith("[slow] pid ", StringComparison.Ordinal))
            {
                pid = int.Parse(line["[slow] pid ".Length..]);
            }
        });
        using var _ = log;
        BuildStep[] steps =
        [
            new() { Name = "slow", Run = "sleep 1000 & echo pid $!; wait", Timeout = TimeSpan.FromSeconds(1) },
        ];

        var ex = await Assert.ThrowsAsync<DeployFailedException>(
            () => _runner.RunAsync(steps, _workspace, NoEnvironment, log, CancellationToken.None));

        Assert.Null(ex.ExitCode);
        Assert.StartsWith("step 'slow' timed out after 1s", ex.Summary);
        Assert.NotEqual(0, pid);
        Assert.True(await ProcessProbe.WaitUntilDeadAsync(pid, TimeSpan.FromSeconds(10)), $"pid {pid} survived");
    }

    [Fact]
    public async Task RunAsync_Cancelled_ThrowsOperationCanceledAndKillsTheGroup()
    {
        using var cts = new CancellationTokenSource();
        var pid = 0;
        var log = new DeployLog(_dir.Combine("cancel.log"), onLine: line =>
        {
            if (line.StartsWith("[serve] pid ", StringComparison.Ordinal))
            {
                pid = int.Parse(line["[serve] pid ".Length..]);
                cts.Cancel();
            }
        });
        using var _ = log;
        BuildStep[] steps = [new() { Name = "serve", Run = "sleep 1000 & echo pid $!; wait" }];

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _runner.RunAsync(steps, _workspace, NoEnvironment, log, cts.Token));

        Assert.True(await ProcessProbe.WaitUntilDeadAsync(pid, TimeSpan.FromSeconds(10)), $"pid {pid} survived");
    }

    [Fact]
    public async Task RunAsync_SecretInOutput_IsRedactedInLogAndSummary()
    {
        BuildStep[] steps = [new() { Name = "leak", Run = "echo password is hunter2; exit 2" }];

        var ex = await Assert.ThrowsAsync<DeployFailedException>(
            () => _runner.RunAsync(steps, _workspace, NoEnvironment, _log, CancellationToken.None));

        Assert.DoesNotContain("hunter2", ex.Summary);
        Assert.Contains("password is ***", ex.Summary);
        Assert.DoesNotContain("hunter2", File.ReadAllText(_log.Path));
    }
}
