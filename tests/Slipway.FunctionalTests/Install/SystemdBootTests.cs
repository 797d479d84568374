using System.Diagnostics;
using Slipway.Edge.Supervision;
using Slipway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace Slipway.FunctionalTests.Install;

/// <summary>
/// The installed service under a real systemd: <c>Systemd/under-systemd.sh</c> boots systemd as PID 1 of its own pid,
/// mount and cgroup namespaces (the machine's /etc, /usr/local and /var/lib overlaid), runs <c>slipway install</c> of
/// the release binary in them, and checks readiness, MainPID, the CLI without flags, a deploy under the hardened unit,
/// MAINPID after an edge upgrade under load, stop/start with the app kept, Restart=on-failure and uninstall --purge.
/// Its log goes to the test output line by line and is the failure message. Whatever it leaves behind when it fails or
/// is killed at the deadline (the namespaces' processes, its cgroup, its scratch directory) is removed here.
/// </summary>
[Collection(ReleaseCollection.Name)]
public sealed class SystemdBootTests(ReleaseArtifacts release, ITestOutputHelper output) : IAsyncLifetime
{
    // A pass takes well under a minute on this 2-core machine; the rest is room for a busy CI host.
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan TermGrace = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Teardown = TimeSpan.FromSeconds(30);

    private readonly string _work = $"/dev/shm/slipway-systemd-test.{Guid.NewGuid():N}";
    private readonly List<string> _log = [];
    private readonly Stopwatch _clock = new();
    private volatile bool _ended;

    public Task InitializeAsync() => Task.CompletedTask;

    [SkippableFact]
    public async Task InstalledService_UnderRealSystemd_TracksTheUpgradedEdgeKeepsAppsAcrossStopsAndUninstalls()
    {
        SystemdRequirement.Require();
        SystemdRequirement.RequireBootable();
        var script = Path.Combine(RepoPaths.Root, "tests", "Slipway.FunctionalTests", "Install", "Systemd", "under-systemd.sh");
        // setsid: the script leads its own process group, so a deadline can signal it with everything it runs.
        var start = new ProcessStartInfo(File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : "setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var argument in new[] { "bash", script, release.Binary, FreePort.Next().ToString(), FreePort.Next().ToString(), FreePort.NextAppRange() })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SLIPWAY_SYSTEMD_WORK"] = _work;
        start.Environment["NO_COLOR"] = "1";

        _clock.Start();
        using var process = Process.Start(start)!;
        var pumps = Task.WhenAll(PumpAsync(process.StandardOutput, ""), PumpAsync(process.StandardError, "stderr: "));
        var finished = await ExitsWithinAsync(process, Deadline);
        if (!finished)
        {
            // SIGTERM lets the script tear down and show its diagnostics; SIGKILL if it does not end in time.
            Note($"--- the deadline of {Deadline.TotalSeconds:0} s passed: SIGTERM to the script's process group");
            ProcessSignals.SignalGroup(process.Id, ProcessSignals.SigTerm);
            if (!await ExitsWithinAsync(process, TermGrace))
            {
                Note("--- still running: SIGKILL");
                ProcessSignals.SignalGroup(process.Id, ProcessSignals.SigKill);
                await process.WaitForExitAsync();
            }
        }

        // A process the script started may still hold its output open for a moment after it was killed.
        await Task.WhenAny(pumps, Task.Delay(Teardown));
        var log = Log();
        _ended = true;
        Assert.True(finished, $"under-systemd.sh did not finish within {Deadline.TotalSeconds:0} s; its log:\n{log}");
        Assert.True(process.ExitCode == 0 && log.Contains("all checks passed", StringComparison.Ordinal),
            $"under-systemd.sh failed (exit {process.ExitCode}) after {_clock.Elapsed.TotalSeconds:0.0} s; its log:\n{log}");
        // Its own teardown removed what it made; DisposeAsync would otherwise.
        Assert.False(Directory.Exists(_work), $"under-systemd.sh left {_work}");
        Assert.False(Directory.Exists(Cgroup()), $"under-systemd.sh left the cgroup {Cgroup()}");
    }

    public async Task DisposeAsync()
    {
        var cgroup = Cgroup();
        if (Directory.Exists(cgroup))
        {
            // Every process of the namespaces is in this cgroup; the mounts go with the last of them.
            await File.WriteAllTextAsync(Path.Combine(cgroup, "cgroup.kill"), "1");
            await Poll.UntilAsync(() => !File.ReadAllText(Path.Combine(cgroup, "cgroup.events")).Contains("populated 1", StringComparison.Ordinal),
                Teardown, $"the processes of {cgroup} to exit");
            foreach (var child in Directory.EnumerateDirectories(cgroup, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
            {
                Directory.Delete(child);
            }

            Directory.Delete(cgroup);
        }

        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    private string Cgroup() => Path.Combine(SystemdRequirement.CgroupRoot() ?? "/sys/fs/cgroup", Path.GetFileName(_work));

    private async Task PumpAsync(StreamReader reader, string prefix)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            Note(prefix + line);
        }
    }

    private void Note(string line)
    {
        var stamped = $"[{_clock.Elapsed.TotalSeconds,6:0.0}s] {line}";
        lock (_log)
        {
            _log.Add(stamped);
        }

        if (!_ended)
        {
            // The test output takes lines only while the test runs.
            output.WriteLine(stamped);
        }
    }

    private string Log()
    {
        lock (_log)
        {
            return string.Join('\n', _log);
        }
    }

    private static async Task<bool> ExitsWithinAsync(Process process, TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return false;
        }
    }
}
