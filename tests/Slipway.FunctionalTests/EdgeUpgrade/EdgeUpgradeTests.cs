using Slipway.Edge.Control;
using Slipway.Edge.Supervision;
using System.Diagnostics;
using Slipway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace Slipway.FunctionalTests.EdgeUpgrade;

/// <summary>
/// <c>slipway edge upgrade</c> through the real binary, with load running the whole time: app requests (fast
/// and slow ones in flight during the swap) through the public listener and admin API requests through the
/// admin listener. The new edge is a detached process; each test stops whichever edge serves at the end.
/// </summary>
public sealed class EdgeUpgradeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(60);

    private readonly AppSources _sources = new();
    private SlipwayProcess? _slipway;

    private SlipwayProcess Slipway => _slipway ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _slipway = await SlipwayProcess.UpAsync();

    [Fact]
    public async Task Upgrade_TwiceUnderLoad_NoRequestFailsAndProcessesKeepTheirPids()
    {
        var spec = new TestAppSpec { App = "edgeup" };
        await Slipway.Admin.RegisterAsync(spec.App, spec.ToYaml());
        await Slipway.Admin.DeploySucceededAsync(spec.App, _sources.Version(spec, "edgeup v1"));
        var before = Slipway.SupervisedProcesses();
        Assert.Equal(2, before.Count); // the control plane and the app

        var (app, slow, admin) = await StartLoadAsync(spec);
        // A new connection per request: one the old edge accepts just before it stops must still be answered.
        var fresh = await EdgeLoad.StartAsync(Slipway.HttpUrl, spec.Host, body => body.StartsWith($"{spec.App} v1 ", StringComparison.Ordinal), clients: 4,
            handler: new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero });
        using var stopControl = new CancellationTokenSource();
        var control = ControlChangesAsync(stopControl.Token);
        await using (app)
        await using (slow)
        await using (admin)
        await using (fresh)
        {
            var first = await UpgradeAsync();
            Assert.NotEqual(Slipway.ProcessId, first);
            await Poll.UntilAsync(() => Slipway.HasExited, ExitDeadline, "`slipway up` (the old edge) to drain and exit");
            Assert.Equal(0, await Slipway.StopAsync(ExitDeadline));
            Assert.Contains("the edge was upgraded", Slipway.Output, StringComparison.Ordinal);

            await slow.AtLeastAsync(4);
            var second = await UpgradeAsync();
            Assert.NotEqual(first, second);
            await Poll.UntilAsync(() => !IsAlive(first), ExitDeadline, $"the first new edge (pid {first}) to drain and exit");

            await app.AtLeastAsync(200);
            await slow.AtLeastAsync(4);
            await admin.AtLeastAsync(50);
            await fresh.AtLeastAsync(50);
            var results = new[] { await app.StopAsync(), await slow.StopAsync(), await admin.StopAsync(), await fresh.StopAsync() };
            await stopControl.CancelAsync();
            var (changes, failedChanges) = await control;
            Report(results);
            output.WriteLine($"control changes: {changes} requests, {failedChanges.Count} failed");
            Assert.All(results, result => Assert.True(result.Failures == 0, result.ToString()));
            Assert.True(failedChanges.Count == 0, string.Join("\n", failedChanges.Take(5)));
            Assert.True(changes > 0);
        }

        Assert.Equal(before, Slipway.SupervisedProcesses());

        // The new edge owns the state: a deploy (new targets over its control socket, a new process) works and persists.
        await Slipway.Admin.DeploySucceededAsync(spec.App, _sources.Version(spec, "edgeup v2"));
        Assert.StartsWith("edgeup v2 ", (await Slipway.EdgeGetAsync(spec.Host, "/")).Body, StringComparison.Ordinal);
        var after = Slipway.SupervisedProcesses();
        Assert.Equal(before["slipway"], after["slipway"]);
        Assert.Equal(3, after.Count);
    }

    [Fact]
    public async Task Upgrade_NewEdgeFails_OldEdgeKeepsServingAndOwningTheState()
    {
        var spec = new TestAppSpec { App = "edgefail" };
        await Slipway.Admin.RegisterAsync(spec.App, spec.ToYaml());
        await Slipway.Admin.DeploySucceededAsync(spec.App, _sources.Version(spec, "edgefail v1"));
        var before = Slipway.SupervisedProcesses();

        var (app, slow, admin) = await StartLoadAsync(spec);
        await using (app)
        await using (slow)
        await using (admin)
        {
            // Exits after receiving the listeners; then one that exits after the old edge froze its state.
            foreach (var fault in new[] { "takeover", "serve" })
            {
                var run = await Slipway.CliAsync("edge", "upgrade", "--binary", FaultyBinary(fault));

                Assert.True(run.ExitCode == 1, run.ToString());
                Assert.Contains("exited with code 70", run.Stdout, StringComparison.Ordinal);
                Assert.Contains("This edge keeps serving", run.Stdout, StringComparison.Ordinal);
                Assert.Equal(Slipway.ProcessId, await EdgePidAsync());
                Assert.False(Slipway.HasExited);
            }

            await app.AtLeastAsync(100);
            await slow.AtLeastAsync(2);
            var results = new[] { await app.StopAsync(), await slow.StopAsync(), await admin.StopAsync() };
            Report(results);
            Assert.All(results, result => Assert.True(result.Failures == 0, result.ToString()));
        }

        Assert.Equal(before, Slipway.SupervisedProcesses());
        // Thawed: the old edge supervises and persists again.
        await Slipway.Admin.DeploySucceededAsync(spec.App, _sources.Version(spec, "edgefail v2"));
        Assert.StartsWith("edgefail v2 ", (await Slipway.EdgeGetAsync(spec.Host, "/")).Body, StringComparison.Ordinal);
        Assert.Equal(3, Slipway.SupervisedProcesses().Count);
    }

    public async Task DisposeAsync()
    {
        if (_slipway is not null)
        {
            // A new edge started by an upgrade runs detached from the test; stop it before the home goes.
            if (await TryEdgePidAsync() is int edge && edge != _slipway.ProcessId && edge > 1)
            {
                ProcessSignals.SignalGroup(edge, ProcessSignals.SigTerm);
                try
                {
                    await Poll.UntilAsync(() => !IsAlive(edge), ExitDeadline, $"the edge (pid {edge}) to stop");
                }
                catch (TimeoutException)
                {
                    ProcessSignals.SignalGroup(edge, ProcessSignals.SigKill);
                }
            }

            await _slipway.DisposeAsync();
        }

        _sources.Dispose();
    }

    private async Task<(EdgeLoad App, EdgeLoad Slow, EdgeLoad Admin)> StartLoadAsync(TestAppSpec spec)
    {
        var app = await EdgeLoad.StartAsync(Slipway.HttpUrl, spec.Host, body => body.StartsWith($"{spec.App} v1 ", StringComparison.Ordinal), clients: 8);
        var slow = await EdgeLoad.StartAsync(Slipway.HttpUrl, spec.Host, body => body.StartsWith("slow gen=", StringComparison.Ordinal), clients: 3, path: "/slow?ms=700");
        var admin = await EdgeLoad.StartAsync(Slipway.AdminUrl, "admin", body => body == "ready", clients: 2, path: "/readyz");
        return (app, slow, admin);
    }

    /// <summary>Runs <c>slipway edge upgrade</c>, expects success, and returns the new edge's pid as the control socket reports it.</summary>
    private async Task<int> UpgradeAsync()
    {
        var watch = Stopwatch.StartNew();
        var run = await Slipway.CliAsync("edge", "upgrade");
        output.WriteLine($"edge upgrade: exit {run.ExitCode} after {watch.ElapsedMilliseconds} ms\n{run.Stdout}");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("New edge serving", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("exited", run.Stdout, StringComparison.Ordinal);
        return await EdgePidAsync();
    }

    /// <summary>Changes over the control socket the whole time (as the control plane makes them), each must be answered 200.</summary>
    private async Task<(int Requests, List<string> Failures)> ControlChangesAsync(CancellationToken stop)
    {
        using var client = new EdgeControlClient(Path.Combine(Slipway.Home, "edge.sock"), TimeSpan.FromSeconds(30));
        var failures = new List<string>();
        var requests = 0;
        while (!stop.IsCancellationRequested && requests < 100_000)
        {
            requests++;
            try
            {
                await client.PutServiceAsync("control-probe",
                    new Slipway.Edge.Control.Contracts.ServiceDefinition { MaxRequestBodyBytes = 1024 + (requests % 2) }, CancellationToken.None);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or EdgeControlException)
            {
                failures.Add($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {e.GetType().Name}: {e.Message}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), CancellationToken.None);
        }

        return (requests, failures);
    }

    private void Report(LoadResult[] results)
    {
        foreach (var (name, result) in new[] { "app", "slow", "admin", "new connection per request" }.Zip(results))
        {
            output.WriteLine($"{name}: {result.Requests} requests, {result.Failures} failed");
        }
    }

    private async Task<int> EdgePidAsync() => await TryEdgePidAsync() ?? throw new InvalidOperationException("No edge answers on the control socket.");

    private async Task<int?> TryEdgePidAsync()
    {
        using var client = new EdgeControlClient(Path.Combine(Slipway.Home, "edge.sock"), TimeSpan.FromSeconds(10));
        try
        {
            return (await client.GetVersionAsync(CancellationToken.None)).Pid;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>A slipway "binary" whose edge fails at <paramref name="fault"/> (SLIPWAY_EDGE_FAULT).</summary>
    private string FaultyBinary(string fault)
    {
        var path = _sources.WriteFile($"slipway-{fault}.sh", $"#!/bin/sh\nSLIPWAY_EDGE_FAULT={fault} exec dotnet '{RepoPaths.SlipwayDll}' \"$@\"\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static bool IsAlive(int pid) => SupervisedProcess.IsSameProcess(pid, null);
}
