using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Hosting;

namespace Slipway.Edge.Supervision;

/// <summary>
/// One supervised process: its current run (spawned by us, or adopted from a previous edge) and the loop
/// that waits for it to exit and restarts it with backoff. All mutable fields are guarded by <c>_gate</c>.
/// </summary>
internal sealed partial class SupervisedProcess
{
    private static readonly TimeSpan AdoptedPollInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan StopPollInterval = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action _changed;
    private readonly CancellationTokenSource _unwatch = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly OutputRelayLauncher? _relay;
    private readonly string? _sealedSecrets;

    private ProcessState _state = ProcessState.Starting;
    private bool _stopRequested;
    private Process? _child;
    private int? _pid;
    private long? _startTicks;
    private DateTimeOffset _startedAt;
    private int _restarts;
    private TimeSpan? _backoff;
    private int? _lastExitCode;
    private DateTimeOffset? _lastExitAt;
    private bool _adopted;
    private TaskCompletionSource _exited = NewSignal();
    private Task _loop = Task.CompletedTask;

    private SupervisedProcess(ProcessDefinition definition, string logFile, TimeProvider time, ILogger logger, Action changed,
        OutputRelayLauncher? relay = null, string? sealedSecrets = null)
    {
        Definition = definition;
        _relay = relay;
        _sealedSecrets = sealedSecrets;
        LogFile = logFile;
        _time = time;
        _logger = logger;
        _changed = changed;
    }

    /// <summary>The definition as given, secrets included: never handed out as is (see <see cref="Snapshot"/>).</summary>
    public ProcessDefinition Definition { get; }

    public string LogFile { get; }

    public bool IsActive
    {
        get
        {
            lock (_gate)
            {
                return ProcessStates.IsActive(_state);
            }
        }
    }

    /// <summary>The port claim of an active process (<see cref="ProcessSupervisor.ClaimsOf"/>); null once it is stopped or exited.</summary>
    public PortClaim? Claim()
    {
        lock (_gate)
        {
            if (!ProcessStates.IsActive(_state))
            {
                return null;
            }

            var running = _state is ProcessState.Running or ProcessState.Stopping && _pid is int pid ? ProcStat.Read(pid) : null;
            return new PortClaim(Definition.Id, running is { IsZombie: false } ? running.Session : null);
        }
    }

    /// <summary>Spawns the process now; a failure to spawn (bad working directory, no <c>setsid</c>) throws to the caller.</summary>
    public static SupervisedProcess Start(ProcessDefinition definition, string logFile, TimeProvider time, ILogger logger, Action changed,
        OutputRelayLauncher? relay = null, string? sealedSecrets = null)
    {
        var process = new SupervisedProcess(definition, logFile, time, logger, changed, relay, sealedSecrets);
        lock (process._gate)
        {
            process.SpawnLocked();
        }

        process._loop = Task.Run(process.SuperviseAsync);
        return process;
    }

    /// <summary>
    /// Takes over a process recorded by a previous edge: adopted when its pid is alive with the recorded start
    /// time, started again when it should be running but is gone, left as recorded when it was not running.
    /// Returns whether a stop was in progress (the caller finishes it).
    /// </summary>
    /// <param name="saved">As persisted; its definition carries the opened <see cref="ProcessDefinition.Secrets"/> again.</param>
    public static (SupervisedProcess Process, bool ResumeStop) Restore(ProcessStatus saved, TimeProvider time, ILogger logger, Action changed,
        OutputRelayLauncher? relay = null)
    {
        var process = new SupervisedProcess(saved.Definition with { SealedSecrets = null }, saved.LogFile, time, logger, changed, relay, saved.Definition.SealedSecrets)
        {
            _restarts = saved.Restarts,
            _backoff = saved.BackoffMs is int ms ? TimeSpan.FromMilliseconds(ms) : null,
            _lastExitCode = saved.LastExitCode,
            _lastExitAt = saved.LastExitAt,
        };

        var alive = saved.Pid is int pid && saved.StartTicks is long ticks && IsSameProcess(pid, ticks);
        if (!ProcessStates.IsActive(saved.State) || (saved.State == ProcessState.Stopping && !alive))
        {
            process._state = saved.State == ProcessState.Stopping ? ProcessState.Stopped : saved.State;
            return (process, false);
        }

        lock (process._gate)
        {
            if (alive)
            {
                process._pid = saved.Pid;
                process._startTicks = saved.StartTicks;
                process._adopted = true;
                process._state = ProcessState.Running;
                // The real start is older, but only time under our watch counts towards "ran stably".
                process._startedAt = time.GetUtcNow();
                Log.Adopted(logger, saved.Id, saved.Pid!.Value);
            }
            else
            {
                if (saved.Pid is not null)
                {
                    process._restarts++;
                    Log.NotAdopted(logger, saved.Id, saved.Pid.Value);
                }

                // A failure here (its release tree is gone, say) must not stop the edge from starting.
                process.SpawnOrRecordFailureLocked();
            }
        }

        process._loop = Task.Run(process.SuperviseAsync);
        return (process, alive && saved.State == ProcessState.Stopping);
    }

    /// <summary>
    /// The process's status. Its definition never carries the secrets in clear; with <paramref name="forState"/> it
    /// carries them sealed, for the state file.
    /// </summary>
    public ProcessStatus Snapshot(bool forState = false)
    {
        lock (_gate)
        {
            return new ProcessStatus
            {
                Id = Definition.Id,
                State = _state,
                Pid = _pid,
                StartTicks = _startTicks,
                Restarts = _restarts,
                BackoffMs = _backoff is { } backoff ? (int)backoff.TotalMilliseconds : null,
                LastExitCode = _lastExitCode,
                LastExitAt = _lastExitAt,
                Adopted = _adopted,
                LogFile = LogFile,
                Definition = Definition with { Secrets = null, SealedSecrets = forState ? _sealedSecrets : null },
            };
        }
    }

    /// <summary>SIGTERM to the group, wait up to <paramref name="grace"/> for the whole group to exit, then SIGKILL.</summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        int? pid;
        long? ticks;
        Task exited;
        lock (_gate)
        {
            _stopRequested = true;
            pid = _pid;
            ticks = _startTicks;
            exited = _exited.Task;
            if (pid is null)
            {
                if (ProcessStates.IsActive(_state))
                {
                    _state = ProcessState.Stopped;
                }
            }
            else
            {
                _state = ProcessState.Stopping;
            }
        }

        await _stop.CancelAsync();
        _changed();

        if (pid is int group && (ticks is not long t || IsSameProcess(group, t)))
        {
            Log.Stopping(_logger, Definition.Id, group, (int)grace.TotalMilliseconds);
            ProcessSignals.SignalGroup(group, ProcessSignals.SigTerm);
            var stopped = await WaitUntilAsync(() => exited.IsCompleted && !ProcessSignals.GroupExists(group), grace, cancellationToken);
            if (!stopped)
            {
                Log.Killing(_logger, Definition.Id, group);
                ProcessSignals.SignalGroup(group, ProcessSignals.SigKill);
                await WaitUntilAsync(() => exited.IsCompleted, KillWait, cancellationToken);
            }
        }

        await _loop.WaitAsync(cancellationToken);
        lock (_gate)
        {
            // Only reached without a run to wait for (backoff, or a pid that was no longer ours).
            if (_state == ProcessState.Stopping)
            {
                _state = ProcessState.Stopped;
                _pid = null;
                _startTicks = null;
            }
        }
    }

    /// <summary>Edge shutdown: stop watching; the process itself keeps running.</summary>
    public async Task StopWatchingAsync()
    {
        await _unwatch.CancelAsync();
        await _loop;
    }

    private async Task SuperviseAsync()
    {
        var unwatch = _unwatch.Token;
        try
        {
            while (true)
            {
                var exitCode = await WaitForExitAsync(unwatch);
                var now = _time.GetUtcNow();
                TimeSpan delay;
                lock (_gate)
                {
                    var ranFor = now - _startedAt;
                    Log.Exited(_logger, Definition.Id, _pid ?? 0, exitCode, (long)ranFor.TotalMilliseconds);
                    _lastExitCode = exitCode;
                    _lastExitAt = now;
                    _pid = null;
                    _startTicks = null;
                    _adopted = false;
                    _child?.Dispose();
                    _child = null;
                    _exited.TrySetResult();
                    if (_stopRequested || !Definition.Restart)
                    {
                        _state = _stopRequested ? ProcessState.Stopped : ProcessState.Exited;
                        delay = TimeSpan.Zero;
                    }
                    else
                    {
                        _backoff = RestartBackoff.Next(_backoff, ranFor);
                        _state = ProcessState.Backoff;
                        delay = _backoff.Value;
                    }
                }

                _changed();
                if (delay == TimeSpan.Zero)
                {
                    return;
                }

                using var linked = CancellationTokenSource.CreateLinkedTokenSource(unwatch, _stop.Token);
                try
                {
                    await Task.Delay(delay, _time, linked.Token);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested && !unwatch.IsCancellationRequested)
                {
                    // StopAsync marked the process stopped.
                    return;
                }

                lock (_gate)
                {
                    if (_stopRequested)
                    {
                        return;
                    }

                    _restarts++;
                    SpawnOrRecordFailureLocked();
                }

                _changed();
            }
        }
        catch (OperationCanceledException) when (unwatch.IsCancellationRequested)
        {
            // Edge shutdown: the process keeps running and is re-adopted by the next edge.
        }
    }

    private async Task<int?> WaitForExitAsync(CancellationToken cancellationToken)
    {
        Process? child;
        int? pid;
        long? ticks;
        lock (_gate)
        {
            child = _child;
            pid = _pid;
            ticks = _startTicks;
        }

        if (pid is null)
        {
            return null;
        }

        if (child is not null)
        {
            await child.WaitForExitAsync(cancellationToken);
            return child.ExitCode;
        }

        // Not our child (adopted after an edge restart): the exit status goes to its new parent, so all
        // we can see is the pid disappearing or being reused.
        using var timer = new PeriodicTimer(AdoptedPollInterval, _time);
        while (IsSameProcess(pid.Value, ticks))
        {
            await timer.WaitForNextTickAsync(cancellationToken);
        }

        return null;
    }

    private void SpawnOrRecordFailureLocked()
    {
        try
        {
            SpawnLocked();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            // Counted as an immediate exit; the loop backs off and tries again.
            Log.SpawnFailed(_logger, ex, Definition.Id);
            _pid = null;
            _startedAt = _time.GetUtcNow();
            _state = ProcessState.Starting;
        }
    }

    private void SpawnLocked()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LogFile)!);
        var info = new ProcessStartInfo(File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : "setsid")
        {
            UseShellExecute = false,
            WorkingDirectory = Definition.WorkingDirectory,
        };
        // setsid(1) only forks when the caller leads a process group, which a freshly forked child of ours
        // never does, so the pid we get is the shell's, the leader of the new session and group; a plain
        // command is exec'd by that shell, so the pid becomes the app's own. Output goes to the log file directly (no pipes through us) so it survives an edge restart.
        // A process with secrets writes into a FIFO whose relay masks them on the way to the log file.
        var (output, relay) = Definition.Secrets is { Count: > 0 } secrets
            ? (_relay ?? throw new InvalidOperationException($"Process '{Definition.Id}' has secrets but this edge has no output relay.")).Start(LogFile, secrets.Values)
            : (LogFile, null);
        info.ArgumentList.Add("/bin/sh");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(ShellCommand.Script(Definition.Command));
        info.ArgumentList.Add("slipway-process");
        info.ArgumentList.Add(output);
        // Cleared first: the edge's own environment (master key, tokens, credentials) is not the app's.
        ChildEnvironment.Apply(info.Environment, ChildEnvironment.Base(Definition.SlipwayOwn));
        // Only the edge speaks to the service manager: an app that found the socket could claim to be the main process.
        info.Environment.Remove(SystemdNotify.Variable);
        foreach (var (key, value) in Definition.Environment)
        {
            info.Environment[key] = value;
        }

        foreach (var (key, value) in Definition.Secrets ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        if (Definition.Port is int port && !Definition.Environment.ContainsKey("PORT"))
        {
            info.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        Process child;
        try
        {
            child = Process.Start(info) ?? throw new InvalidOperationException($"Could not start process '{Definition.Id}'.");
        }
        catch when (relay is not null)
        {
            OutputRelayLauncher.Abandon(output, relay);
            throw;
        }

        _child = child;
        _pid = child.Id;
        _startTicks = ProcStat.Read(child.Id)?.StartTicks;
        _startedAt = _time.GetUtcNow();
        _adopted = false;
        _state = ProcessState.Running;
        _exited = NewSignal();
        Log.Started(_logger, Definition.Id, child.Id, LogFile);
    }

    private async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + timeout;
        while (!condition())
        {
            if (_time.GetUtcNow() >= deadline)
            {
                return false;
            }

            await Task.Delay(StopPollInterval, _time, cancellationToken);
        }

        return true;
    }

    internal static bool IsSameProcess(int pid, long? startTicks)
    {
        var stat = ProcStat.Read(pid);
        return stat is not null && !stat.IsZombie && (startTicks is null || stat.StartTicks == startTicks);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Started process {Id} (pid {Pid}), output to {LogFile}")]
        public static partial void Started(ILogger logger, string id, int pid, string logFile);

        [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Process {Id} (pid {Pid}) exited with code {ExitCode} after {RanForMs} ms")]
        public static partial void Exited(ILogger logger, string id, int pid, int? exitCode, long ranForMs);

        [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Stopping process {Id} (group {Group}), grace {GraceMs} ms")]
        public static partial void Stopping(ILogger logger, string id, int group, int graceMs);

        [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Process {Id} (group {Group}) outlived its grace period; sending SIGKILL")]
        public static partial void Killing(ILogger logger, string id, int group);

        [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Re-adopted process {Id} (pid {Pid})")]
        public static partial void Adopted(ILogger logger, string id, int pid);

        [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Process {Id} (pid {Pid}) is gone or its pid was reused; starting it again")]
        public static partial void NotAdopted(ILogger logger, string id, int pid);

        [LoggerMessage(EventId = 106, Level = LogLevel.Error, Message = "Could not start process {Id}")]
        public static partial void SpawnFailed(ILogger logger, Exception exception, string id);
    }
}
