using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Slipway.ControlPlane.IO;
using Slipway.Edge.Supervision;

namespace Slipway.ControlPlane.Processes;

/// <summary>
/// Runs a command as the leader of a new process group (via <c>setsid</c>), so a timeout or a cancel can kill
/// everything it started, background grandchildren included: SIGTERM to the group, SIGKILL after a grace.
/// </summary>
/// <remarks>
/// When the leader exits on its own, whatever it left running in its group is killed too: a build step or a
/// git call must not leave daemons behind, and they would otherwise hold the output pipe open.
/// </remarks>
internal sealed class ProcessGroupRunner
{
    private const string SetsidPath = "/usr/bin/setsid";

    // Runs the real command with stderr pointed at stdout, so both arrive on one pipe in the order written.
    private const string MergeStderrScript = "exec \"$@\" 2>&1";

    // How long to wait for the output pipes to reach end-of-file once the group is dead; only a process that
    // escaped the group can hold them longer, so this is generous for a loaded machine and never the common path.
    private static readonly TimeSpan OutputDrainLimit = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _killGrace;

    public ProcessGroupRunner()
        : this(TimeProvider.System, TimeSpan.FromSeconds(5))
    {
    }

    public ProcessGroupRunner(TimeProvider timeProvider, TimeSpan killGrace)
    {
        _timeProvider = timeProvider;
        _killGrace = killGrace;
    }

    /// <summary>
    /// Runs <paramref name="request"/> to completion, its timeout, or cancellation (which kill the group and are
    /// reported in the result rather than thrown).
    /// </summary>
    /// <param name="onLine">Called once per output line, in order, from a background thread.</param>
    public async Task<ProcessResult> RunAsync(
        ProcessRequest request, Action<string>? onLine, CancellationToken cancellationToken)
    {
        if (request.Argv.Count == 0)
        {
            throw new ArgumentException("A command needs at least a program name.", nameof(request));
        }

        if (!Directory.Exists(request.WorkingDirectory))
        {
            throw new DirectoryNotFoundException(
                $"Working directory '{request.WorkingDirectory}' does not exist.");
        }

        cancellationToken.ThrowIfCancellationRequested();

        using var process = new Process { StartInfo = BuildStartInfo(request) };
        var tail = new LineTail(request.TailLines, onLine);
        var started = _timeProvider.GetTimestamp();
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"Cannot start '{request.Argv[0]}': {ex.Message}. Is it installed and on PATH?", ex);
        }

        process.StandardInput.Close();
        var pgid = process.Id;

        Task<string?> stdout = request.CaptureStdout
            ? ReadAllAsync(process.StandardOutput)
            : PumpLinesAsync(process.StandardOutput, tail);
        var stderr = PumpLinesAsync(process.StandardError, tail);

        var timedOut = false;
        var cancelled = false;
        using (var timeout = new CancellationTokenSource(request.Timeout, _timeProvider))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken))
        {
            try
            {
                await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                cancelled = cancellationToken.IsCancellationRequested;
                timedOut = !cancelled;
                await TerminateAsync(process, pgid).ConfigureAwait(false);
            }
        }

        KillGroup(process, pgid, Posix.SigKill);
        string? output = null;
        try
        {
            // The group is dead already: its output is drained whatever the caller cancelled, within the limit.
            await Task.WhenAll(stdout, stderr).WaitAsync(OutputDrainLimit, _timeProvider, CancellationToken.None).ConfigureAwait(false);
            output = await stdout.ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Something left the group (its own setsid) and still holds the pipe; do not wait for it.
            tail.Add("[slipway] output still open after the command ended; not waiting for it");
        }

        return new ProcessResult
        {
            ExitCode = process.ExitCode,
            TimedOut = timedOut,
            Cancelled = cancelled,
            Duration = _timeProvider.GetElapsedTime(started),
            LastLines = tail.Snapshot(),
            Output = output,
        };
    }

    private static ProcessStartInfo BuildStartInfo(ProcessRequest request)
    {
        var info = new ProcessStartInfo(SetsidPath)
        {
            WorkingDirectory = request.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };

        if (!request.CaptureStdout)
        {
            info.ArgumentList.Add("bash");
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(MergeStderrScript);
            info.ArgumentList.Add("slipway");
        }

        foreach (var arg in request.Argv)
        {
            info.ArgumentList.Add(arg);
        }

        // Cleared first: a build or migrate step, or git, gets the allow-list plus what the request names, never the
        // control plane's own variables (master key, tokens).
        ChildEnvironment.Apply(info.Environment, ChildEnvironment.Base());
        foreach (var (name, value) in request.Environment)
        {
            info.Environment[name] = value;
        }

        return info;
    }

    private async Task TerminateAsync(Process process, int pgid)
    {
        KillGroup(process, pgid, Posix.SigTerm);
        try
        {
            using var grace = new CancellationTokenSource(_killGrace, _timeProvider);
            await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ignored SIGTERM; the SIGKILL below ends it.
        }

        KillGroup(process, pgid, Posix.SigKill);
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static void KillGroup(Process process, int pgid, int signal)
    {
        if (Posix.SignalGroup(pgid, signal) || process.HasExited)
        {
            return;
        }

        // setsid has not made the group yet (a cancel right after start), so nothing else can have been started:
        // kill the process itself. .NET can only send SIGKILL, which is fine before the command ever ran.
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the checks.
        }
    }

    private static async Task<string?> PumpLinesAsync(StreamReader reader, LineTail tail)
    {
        while (await reader.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
        {
            tail.Add(line);
        }

        return null;
    }

    private static async Task<string?> ReadAllAsync(StreamReader reader) =>
        await reader.ReadToEndAsync(CancellationToken.None).ConfigureAwait(false);

    /// <summary>Keeps the last N lines and forwards each line, one at a time, to the caller's callback.</summary>
    private sealed class LineTail(int capacity, Action<string>? onLine)
    {
        private readonly Queue<string> _lines = new();
        private readonly Lock _lock = new();

        public void Add(string line)
        {
            lock (_lock)
            {
                _lines.Enqueue(line);
                while (_lines.Count > Math.Max(capacity, 0))
                {
                    _lines.Dequeue();
                }

                onLine?.Invoke(line);
            }
        }

        public IReadOnlyList<string> Snapshot()
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }
}
