using System.Collections.Concurrent;
using Slipway.ControlPlane.Processes;
using Slipway.ControlPlane.Tests.IO;

namespace Slipway.ControlPlane.Tests.Processes;

public sealed class ProcessGroupRunnerTests : IDisposable
{
    private static readonly TimeSpan DeathDeadline = TimeSpan.FromSeconds(10);

    private readonly ScratchDirectory _dir = new();
    private readonly ProcessGroupRunner _runner = new(TimeProvider.System, TimeSpan.FromMilliseconds(500));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RunAsync_StdoutAndStderr_StreamsMergedLinesInOrder()
    {
        var lines = new ConcurrentQueue<string>();
        var result = await _runner.RunAsync(
            ProcessRequest.Bash("echo one; echo two >&2; echo three", _dir.Path), lines.Enqueue, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(["one", "two", "three"], lines);
        Assert.Equal(["one", "two", "three"], result.LastLines);
    }

    [Fact]
    public async Task RunAsync_NonZeroExit_ReportsExitCodeAndLastLines()
    {
        var request = ProcessRequest.Bash("for i in 1 2 3 4 5; do echo line$i; done; exit 3", _dir.Path) with
        {
            TailLines = 2,
        };

        var result = await _runner.RunAsync(request, null, CancellationToken.None);

        Assert.Equal(3, result.ExitCode);
        Assert.False(result.TimedOut);
        Assert.False(result.Cancelled);
        Assert.Equal(["line4", "line5"], result.LastLines);
    }

    [Fact]
    public async Task RunAsync_EnvironmentAndWorkingDirectory_ArePassedToTheCommand()
    {
        var request = ProcessRequest.Bash("echo \"$GREETING\"; pwd", _dir.Path) with
        {
            Environment = new Dictionary<string, string> { ["GREETING"] = "hello there" },
        };

        var result = await _runner.RunAsync(request, null, CancellationToken.None);

        Assert.Equal(["hello there", _dir.Path], result.LastLines);
    }

    [Fact]
    public async Task RunAsync_Argv_PassesArgumentsWithoutAShell()
    {
        var request = new ProcessRequest { Argv = ["printf", "%s|", "a b", "$HOME"], WorkingDirectory = _dir.Path };

        var result = await _runner.RunAsync(request, null, CancellationToken.None);

        Assert.Equal(["a b|$HOME|"], result.LastLines);
    }

    [Fact]
    public async Task RunAsync_CaptureStdout_ReturnsExactBytesAndStreamsStderr()
    {
        var lines = new ConcurrentQueue<string>();
        var request = new ProcessRequest
        {
            Argv = ["bash", "-c", "printf 'a\\0b\\r\\nc'; echo oops >&2"],
            WorkingDirectory = _dir.Path,
            CaptureStdout = true,
        };

        var result = await _runner.RunAsync(request, lines.Enqueue, CancellationToken.None);

        Assert.Equal("a\0b\r\nc", result.Output);
        Assert.Equal(["oops"], lines);
    }

    [Fact]
    public async Task RunAsync_Timeout_KillsTheWholeGroupIncludingBackgroundChildren()
    {
        var pids = new ConcurrentQueue<string>();
        var request = ProcessRequest.Bash("sleep 1000 & echo $!; sleep 1000", _dir.Path) with
        {
            Timeout = TimeSpan.FromSeconds(1),
        };

        var result = await _runner.RunAsync(request, pids.Enqueue, CancellationToken.None);

        Assert.True(result.TimedOut);
        Assert.False(result.Cancelled);
        Assert.NotEqual(0, result.ExitCode);
        var grandchild = int.Parse(Assert.Single(pids));
        Assert.True(await ProcessProbe.WaitUntilDeadAsync(grandchild, DeathDeadline), $"pid {grandchild} survived");
    }

    [Fact]
    public async Task RunAsync_Cancelled_KillsTheWholeGroupAndReportsCancelled()
    {
        using var cts = new CancellationTokenSource();
        var pid = 0;
        var request = ProcessRequest.Bash("sleep 1000 & echo $!; sleep 1000", _dir.Path);

        var result = await _runner.RunAsync(
            request,
            line =>
            {
                if (int.TryParse(line, out var echoed))
                {
                    pid = echoed;
                    cts.Cancel();
                }
            },
            cts.Token);

        Assert.True(result.Cancelled);
        Assert.False(result.TimedOut);
        Assert.True(await ProcessProbe.WaitUntilDeadAsync(pid, DeathDeadline), $"pid {pid} survived");
    }

    [Fact]
    public async Task RunAsync_GroupIgnoresSigterm_IsKilledAfterTheGrace()
    {
        var request = ProcessRequest.Bash("trap '' TERM; echo $$; while true; do sleep 0.1; done", _dir.Path) with
        {
            Timeout = TimeSpan.FromMilliseconds(300),
        };
        var pid = 0;

        var result = await _runner.RunAsync(
            request, line => pid = int.TryParse(line, out var echoed) ? echoed : pid, CancellationToken.None);

        Assert.True(result.TimedOut);
        Assert.Equal(137, result.ExitCode);
        Assert.True(await ProcessProbe.WaitUntilDeadAsync(pid, DeathDeadline));
    }

    [Fact]
    public async Task RunAsync_LeaderExitsLeavingABackgroundChild_KillsItAndReturns()
    {
        var pids = new ConcurrentQueue<string>();

        var result = await _runner.RunAsync(
            ProcessRequest.Bash("sleep 1000 & echo $!", _dir.Path), pids.Enqueue, CancellationToken.None);

        Assert.True(result.Succeeded);
        var grandchild = int.Parse(Assert.Single(pids));
        Assert.True(await ProcessProbe.WaitUntilDeadAsync(grandchild, DeathDeadline), $"pid {grandchild} survived");
    }

    [Fact]
    public async Task RunAsync_MissingWorkingDirectory_ThrowsNamingIt()
    {
        var missing = _dir.Combine("nope");

        var ex = await Assert.ThrowsAsync<DirectoryNotFoundException>(
            () => _runner.RunAsync(ProcessRequest.Bash("true", missing), null, CancellationToken.None));

        Assert.Contains(missing, ex.Message);
    }

    [Fact]
    public async Task RunAsync_UnknownCommand_ReportsNonZeroExitWithTheShellsMessage()
    {
        var request = new ProcessRequest { Argv = ["no-such-command-slipway"], WorkingDirectory = _dir.Path };

        var result = await _runner.RunAsync(request, null, CancellationToken.None);

        Assert.Equal(127, result.ExitCode);
        Assert.Contains(result.LastLines, l => l.Contains("no-such-command-slipway"));
    }

    [Fact]
    public async Task RunAsync_VariableOfThisProcess_IsNotInheritedButTheAllowListIs()
    {
        var name = "SLIPWAY_TEST_CANARY_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(name, "leaked");
        try
        {
            var request = new ProcessRequest
            {
                Argv = ["sh", "-c", $"printf '%s|%s|%s' \"${{{name}-unset}}\" \"${{PATH:+path}}\" \"$GIVEN\""],
                WorkingDirectory = _dir.Path,
                CaptureStdout = true,
                Environment = new Dictionary<string, string> { ["GIVEN"] = "given" },
            };

            var result = await _runner.RunAsync(request, onLine: null, CancellationToken.None);

            Assert.Equal("unset|path|given", result.Output);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }
}
