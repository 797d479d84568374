using System.Net;
using Slipway.Edge.Control;
using Slipway.Edge.Supervision;
using Slipway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace Slipway.FunctionalTests.Install;

/// <summary>
/// The notify protocol of <c>Type=notify</c> through the real binary and a real datagram socket as
/// <c>NOTIFY_SOCKET</c>: READY=1 only once the edge and the control plane answer; after each
/// <c>slipway edge upgrade</c> a <c>MAINPID=</c> naming the new edge, with no request failing under load.
/// </summary>
public sealed class SystemdNotifyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly AppSources _sources = new();
    private readonly NotifySocket _notify = new();
    private SlipwayProcess? _slipway;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Up_WithNotifySocket_ReadyOnlyAfterControlPlaneAnswers_MainPidFollowsEachEdgeUpgrade()
    {
        _slipway = await SlipwayProcess.StartAsync("up", workingDirectory: null, waitForReady: false,
            environment: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = _notify.Path });

        // Probe /readyz through the admin listener the whole time until READY=1 arrives, noting when each probe began.
        using var probe = new HttpClient { BaseAddress = _slipway.AdminUrl, Timeout = TimeSpan.FromSeconds(5) };
        var probes = new List<(DateTimeOffset Started, bool Ok)>();
        await Poll.UntilAsync(async () =>
        {
            var started = DateTimeOffset.UtcNow;
            probes.Add((started, await ReadyAsync(probe)));
            return _notify.First("READY=1") is not null || (_slipway.HasExited ? throw new InvalidOperationException(_slipway.Output) : false);
        }, Deadline, "READY=1 on the notify socket");
        var ready = _notify.First("READY=1")!.Value;
        output.WriteLine($"READY=1 at {ready.At:HH:mm:ss.fff}: {ready.Text.Replace('\n', ' ')}; {probes.Count} probes, {probes.Count(p => !p.Ok)} not ready");

        Assert.Contains(probes, p => !p.Ok); // the test saw the time before readiness...
        var lastNotReady = probes.Where(p => !p.Ok).Max(p => p.Started);
        Assert.True(ready.At > lastNotReady, $"READY=1 arrived at {ready.At:O}, but a probe begun at {lastNotReady:O} found the control plane not ready");
        Assert.True(await ReadyAsync(probe), "READY=1 arrived but /readyz through the edge does not answer 200");
        Assert.Empty(_notify.MainPids());

        await _slipway.WaitUntilReadyAsync(Deadline);
        var spec = new TestAppSpec { App = "notified" };
        await _slipway.Admin.RegisterAsync(spec.App, spec.ToYaml());
        await _slipway.Admin.DeploySucceededAsync(spec.App, _sources.Version(spec, "notified v1"));
        foreach (var pid in _slipway.SupervisedProcesses().Values)
        {
            // Only the edge talks to the service manager; a supervised process that could would move the main pid.
            Assert.DoesNotContain("NOTIFY_SOCKET=", await File.ReadAllTextAsync($"/proc/{pid}/environ"), StringComparison.Ordinal);
        }

        await using var load = await EdgeLoad.StartAsync(_slipway.HttpUrl, spec.Host, body => body.StartsWith("notified v1 ", StringComparison.Ordinal), clients: 6);
        await using var slow = await EdgeLoad.StartAsync(_slipway.HttpUrl, spec.Host, body => body.StartsWith("slow gen=", StringComparison.Ordinal), clients: 2, path: "/slow?ms=500");
        var edges = new List<int> { _slipway.ProcessId };
        for (var upgrade = 1; upgrade <= 2; upgrade++)
        {
            await load.AtLeastAsync(100);
            var run = await _slipway.CliAsync("edge", "upgrade");
            Assert.True(run.ExitCode == 0, run.ToString());
            var edge = await EdgePidAsync();
            Assert.DoesNotContain(edge, edges);
            await Poll.UntilAsync(() => _notify.MainPids().Count == upgrade, Deadline, $"MAINPID= after upgrade {upgrade}");
            Assert.Equal(edge, _notify.MainPids()[^1]);
            var previous = edges[^1];
            await Poll.UntilAsync(() => !Alive(previous), Deadline, $"the replaced edge (pid {previous}) to exit");
            edges.Add(edge);
        }

        await load.AtLeastAsync(100);
        var results = new[] { await load.StopAsync(), await slow.StopAsync() };
        output.WriteLine($"edges {string.Join(" -> ", edges)}; MAINPID= {string.Join(", ", _notify.MainPids())}; "
            + $"load: {results[0].Requests} requests ({results[0].Failures} failed), slow: {results[1].Requests} ({results[1].Failures} failed)");
        Assert.All(results, r => Assert.True(r.Failures == 0, r.ToString()));
        Assert.Equal(edges[1..], _notify.MainPids());
        Assert.Single(_notify.Messages, m => m.Text.Contains("READY=1", StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        if (_slipway is not null)
        {
            if (await TryEdgePidAsync() is int edge && edge != _slipway.ProcessId && edge > 1)
            {
                // The edge an upgrade started runs detached; stop it before the home goes.
                ProcessSignals.SignalGroup(edge, ProcessSignals.SigTerm);
                try
                {
                    await Poll.UntilAsync(() => !Alive(edge), Deadline, $"the edge (pid {edge}) to stop");
                }
                catch (TimeoutException)
                {
                    ProcessSignals.SignalGroup(edge, ProcessSignals.SigKill);
                }
            }

            await _slipway.DisposeAsync();
        }

        await _notify.DisposeAsync();
        _sources.Dispose();
    }

    private static bool Alive(int pid) => SupervisedProcess.IsSameProcess(pid, null);

    private static async Task<bool> ReadyAsync(HttpClient probe)
    {
        try
        {
            using var response = await probe.GetAsync("/readyz");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private async Task<int> EdgePidAsync() => await TryEdgePidAsync() ?? throw new InvalidOperationException("No edge answers on the control socket.");

    private async Task<int?> TryEdgePidAsync()
    {
        using var client = new EdgeControlClient(Path.Combine(_slipway!.Home, "edge.sock"), TimeSpan.FromSeconds(10));
        try
        {
            return (await client.GetVersionAsync(CancellationToken.None)).Pid;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }
}
