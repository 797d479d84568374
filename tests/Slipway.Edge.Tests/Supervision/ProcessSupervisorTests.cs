using Microsoft.Extensions.Logging.Abstractions;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Supervision;
using Slipway.Edge.Tests.Forwarding;

namespace Slipway.Edge.Tests.Supervision;

public sealed class ProcessSupervisorTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private readonly SupervisorCleanup _cleanup = new("slipway-sup-");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _cleanup.DisposeAsync().AsTask();

    [Fact]
    public async Task Start_Command_OutputLandsInLogFileAndProcessLeadsItsOwnSessionAndGroup()
    {
        var supervisor = NewSupervisor();

        var status = Start(supervisor, "p1", "echo \"pid=$$ port=$PORT greeting=$GREETING\"; exec sleep 300", port: 4321,
            environment: new Dictionary<string, string> { ["GREETING"] = "hello" });

        Assert.Equal(ProcessState.Running, status.State);
        var pid = status.Pid!.Value;
        await Poll.UntilAsync(() => ReadLog(status).Contains("pid="), Deadline, "the first output line");
        // setsid did not fork: the pid we hold is the shell's own pid.
        Assert.Contains($"pid={pid} port=4321 greeting=hello", ReadLog(status));
        var stat = ProcStat.Read(pid)!;
        Assert.Equal(pid, stat.ProcessGroup);
        Assert.Equal(pid, stat.Session);
        Assert.Equal(stat.StartTicks, status.StartTicks);
        Assert.Equal(Path.Combine(_cleanup.Directory, "logs", "p1.log"), status.LogFile);
    }

    [Fact]
    public async Task Start_EdgeHasASecretInItsEnvironment_TheProcessDoesNotInheritIt()
    {
        var name = "SLIPWAY_TEST_LEAK_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(name, "edge-only");
        try
        {
            var supervisor = NewSupervisor();

            var status = Start(supervisor, "p-env", $"echo \"leak=${{{name}-unset}} path=${{PATH:+set}} given=$GIVEN\"; exec sleep 300",
                environment: new Dictionary<string, string> { ["GIVEN"] = "yes" });

            await Poll.UntilAsync(() => ReadLog(status).Contains("leak="), Deadline, "the first output line");
            Assert.Contains("leak=unset path=set given=yes", ReadLog(status));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public async Task Start_ProcessKeepsCrashing_RestartsWithGrowingBackoff()
    {
        var supervisor = NewSupervisor();

        var status = Start(supervisor, "crashy", "echo started; exit 3");

        await Poll.UntilAsync(() => supervisor.Get("crashy")!.Restarts >= 2, Deadline, "two restarts");
        await Poll.UntilAsync(() => supervisor.Get("crashy")!.BackoffMs == 4000, Deadline, "the third backoff");
        var crashed = supervisor.Get("crashy")!;
        Assert.Equal(3, crashed.LastExitCode);
        Assert.NotNull(crashed.LastExitAt);
        Assert.True(ReadLog(status).Split('\n').Count(l => l == "started") >= 3);
    }

    [Fact]
    public async Task Start_RestartDisabled_EndsExitedWithItsCode()
    {
        var supervisor = NewSupervisor();

        Start(supervisor, "once", "exit 7", restart: false);

        await Poll.UntilAsync(() => supervisor.Get("once")!.State == ProcessState.Exited, Deadline, "the exit");
        Assert.Equal(7, supervisor.Get("once")!.LastExitCode);
        Assert.Equal(0, supervisor.Get("once")!.Restarts);
    }

    [Fact]
    public async Task Start_IdAlreadyRunning_Throws()
    {
        var supervisor = NewSupervisor();
        Start(supervisor, "dup", "exec sleep 300");

        Assert.Throws<InvalidOperationException>(() => Start(supervisor, "dup", "exec sleep 300"));

        await supervisor.StopAsync("dup", TimeSpan.FromSeconds(5), CancellationToken.None);
        var again = Start(supervisor, "dup", "exec sleep 300");
        Assert.Equal(ProcessState.Running, again.State);
    }

    [Fact]
    public void Start_InvalidDefinition_ThrowsNamingTheField()
    {
        var supervisor = NewSupervisor();

        var badId = Assert.Throws<ArgumentException>(() => supervisor.Start(new ProcessDefinition { Id = "../x", Command = "true", WorkingDirectory = _cleanup.Directory }));
        var badDirectory = Assert.Throws<ArgumentException>(() => supervisor.Start(new ProcessDefinition { Id = "x", Command = "true", WorkingDirectory = "relative" }));

        Assert.Equal("id", badId.ParamName);
        Assert.Equal("workingDirectory", badDirectory.ParamName);
    }

    [Fact]
    public async Task StopAsync_ProcessTrapsSigterm_IsKilledAfterTheGrace()
    {
        var supervisor = NewSupervisor();
        var status = Start(supervisor, "stubborn", "trap 'echo ignored TERM' TERM; echo ready; while :; do sleep 0.1; done");
        await Poll.UntilAsync(() => ReadLog(status).Contains("ready"), Deadline, "the trap to be set");

        var stopped = await supervisor.StopAsync("stubborn", TimeSpan.FromMilliseconds(500), CancellationToken.None);

        Assert.Equal(ProcessState.Stopped, stopped!.State);
        Assert.Equal(128 + 9, stopped.LastExitCode);
        Assert.False(SupervisedProcess.IsSameProcess(status.Pid!.Value, status.StartTicks));
        Assert.Contains("ignored TERM", ReadLog(status));
    }

    [Fact]
    public async Task StopAsync_ProcessHasAChild_TheWholeGroupStops()
    {
        var supervisor = NewSupervisor();
        var status = Start(supervisor, "parent", "sleep 300 & echo child=$!; wait");
        await Poll.UntilAsync(() => ReadLog(status).Contains("child="), Deadline, "the child's pid");
        var child = int.Parse(ReadLog(status).Split("child=")[1].Split('\n')[0], System.Globalization.CultureInfo.InvariantCulture);
        var childTicks = ProcStat.Read(child)!.StartTicks;
        Assert.Equal(status.Pid, ProcStat.Read(child)!.ProcessGroup);

        var stopped = await supervisor.StopAsync("parent", TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(ProcessState.Stopped, stopped!.State);
        await Poll.UntilAsync(() => !SupervisedProcess.IsSameProcess(child, childTicks), Deadline, "the child to be gone");
        Assert.False(ProcessSignals.GroupExists(status.Pid!.Value));
    }

    [Fact]
    public async Task StopAsync_DuringBackoff_StopsWithoutAnotherStart()
    {
        var supervisor = NewSupervisor();
        Start(supervisor, "flappy", "exit 1");
        await Poll.UntilAsync(() => supervisor.Get("flappy")!.State == ProcessState.Backoff, Deadline, "the backoff");

        var stopped = await supervisor.StopAsync("flappy", null, CancellationToken.None);

        Assert.Equal(ProcessState.Stopped, stopped!.State);
        Assert.Null(stopped.Pid);
    }

    [Fact]
    public async Task Adopt_AfterEdgeRestart_LiveProcessKeepsItsPidAndIsNotRestarted()
    {
        var first = NewSupervisor();
        var started = Start(first, "web", "exec sleep 300");
        await first.ShutdownAsync(stopProcesses: false, CancellationToken.None);
        var saved = first.List();
        Assert.True(SupervisedProcess.IsSameProcess(started.Pid!.Value, started.StartTicks));

        var second = NewSupervisor();
        var adopted = Assert.Single(second.Adopt(saved));

        Assert.Equal(ProcessState.Running, adopted.State);
        Assert.True(adopted.Adopted);
        Assert.Equal(started.Pid, adopted.Pid);
        Assert.Equal(started.StartTicks, adopted.StartTicks);
        Assert.Equal(0, adopted.Restarts);

        // The adopted process (not our child) is stopped through its group like any other.
        var stopped = await second.StopAsync("web", TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(ProcessState.Stopped, stopped!.State);
        Assert.False(SupervisedProcess.IsSameProcess(started.Pid.Value, started.StartTicks));
    }

    [Fact]
    public async Task Adopt_AdoptedProcessDies_IsNoticedAndStartedAgain()
    {
        var first = NewSupervisor();
        var started = Start(first, "web", "exec sleep 300");
        await first.ShutdownAsync(stopProcesses: false, CancellationToken.None);
        var second = NewSupervisor();
        second.Adopt(first.List());

        ProcessSignals.SignalGroup(started.Pid!.Value, ProcessSignals.SigKill);

        await Poll.UntilAsync(() => second.Get("web") is { State: ProcessState.Running, Restarts: 1, Adopted: false }, Deadline, "a restart");
        var restarted = second.Get("web")!;
        Track(restarted);
        Assert.NotEqual(started.Pid, restarted.Pid);
    }

    [Fact]
    public void Adopt_PidReusedWithAnotherStartTime_IsNotAdoptedButStartedAgain()
    {
        // A live pid that is certainly not the recorded process: our own, with a different start time.
        var pid = Environment.ProcessId;
        var ticks = ProcStat.Read(pid)!.StartTicks;
        var saved = new ProcessStatus
        {
            Id = "reused",
            State = ProcessState.Running,
            Pid = pid,
            StartTicks = ticks + 1,
            LogFile = Path.Combine(_cleanup.Directory, "logs", "reused.log"),
            Definition = new ProcessDefinition { Id = "reused", Command = "exec sleep 300", WorkingDirectory = _cleanup.Directory, StopGraceMs = 1000 },
        };
        var supervisor = NewSupervisor();

        var restored = Assert.Single(supervisor.Adopt([saved]));
        Track(restored);

        Assert.False(restored.Adopted);
        Assert.NotEqual(pid, restored.Pid);
        Assert.Equal(ProcessState.Running, restored.State);
        Assert.Equal(1, restored.Restarts);
    }

    [Fact]
    public void Adopt_StoppedProcess_StaysStopped()
    {
        var saved = new ProcessStatus
        {
            Id = "idle",
            State = ProcessState.Stopped,
            LastExitCode = 143,
            LogFile = Path.Combine(_cleanup.Directory, "logs", "idle.log"),
            Definition = new ProcessDefinition { Id = "idle", Command = "exec sleep 300", WorkingDirectory = _cleanup.Directory },
        };
        var supervisor = NewSupervisor();

        var restored = Assert.Single(supervisor.Adopt([saved]));

        Assert.Equal(ProcessState.Stopped, restored.State);
        Assert.Null(restored.Pid);
        Assert.Equal(143, restored.LastExitCode);
    }

    [Fact]
    public async Task TailAsync_LongOutput_ReturnsTheLastLines()
    {
        var supervisor = NewSupervisor();
        var status = Start(supervisor, "talker", "i=1; while [ $i -le 5000 ]; do echo line $i; i=$((i+1)); done; exec sleep 300");
        await Poll.UntilAsync(() => ReadLog(status).Contains("line 5000\n"), Deadline, "all output");

        var tail = await supervisor.TailAsync("talker", 3, CancellationToken.None);

        Assert.Equal(["line 4998", "line 4999", "line 5000"], tail);
    }

    [Fact]
    public async Task Changed_ProcessStartsAndExits_IsRaised()
    {
        var supervisor = NewSupervisor();
        var changes = 0;
        supervisor.Changed += () => Interlocked.Increment(ref changes);

        Start(supervisor, "brief", "exit 0", restart: false);

        await Poll.UntilAsync(() => supervisor.Get("brief")!.State == ProcessState.Exited, Deadline, "the exit");
        Assert.True(Volatile.Read(ref changes) >= 2);
    }

    private ProcessSupervisor NewSupervisor()
    {
        var supervisor = new ProcessSupervisor(Path.Combine(_cleanup.Directory, "logs"), TimeProvider.System, NullLogger<ProcessSupervisor>.Instance);
        _cleanup.Track(supervisor);
        return supervisor;
    }

    private ProcessStatus Start(
        ProcessSupervisor supervisor, string id, string command, int? port = null, bool restart = true,
        Dictionary<string, string>? environment = null)
    {
        var status = supervisor.Start(new ProcessDefinition
        {
            Id = id,
            Command = command,
            WorkingDirectory = _cleanup.Directory,
            Port = port,
            Environment = environment ?? [],
            StopGraceMs = 1000,
            Restart = restart,
        });
        Track(status);
        return status;
    }

    private void Track(ProcessStatus status)
    {
        if (status.Pid is int pid)
        {
            _cleanup.TrackGroup(pid, status.StartTicks);
        }
    }

    private static string ReadLog(ProcessStatus status) => File.Exists(status.LogFile) ? File.ReadAllText(status.LogFile) : "";
}
