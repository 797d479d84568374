using System.Globalization;
using System.Text;
using Slipway.ControlPlane.Reliability;
using Slipway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace Slipway.FunctionalTests.Recovery;

/// <summary>
/// Invariants 5 and 7 under the worst timing: the control plane is killed (SIGKILL, armed through
/// SLIPWAY_FAULT_FILE) at every phase boundary of a deploy while clients keep calling the app through the
/// edge, then started again. No request fails, the deployment ends terminal, exactly the current generation is
/// routed, and the journal tells what happened. The printed table is the one in docs/reliability.md.
/// </summary>
[Collection(RecoveryCollection.Name)]
public sealed class PhaseCrashTests(ITestOutputHelper output)
{
    private const int Clients = 4;

    /// <summary>Points where the crash comes after the promotion was recorded (or, mid-activate, after the edge swapped).</summary>
    private static readonly HashSet<string> Promoted = new(StringComparer.Ordinal) { "during:activate", "after:activate", "before:drain", "after:drain" };

    [Fact]
    public async Task Deploy_KilledAtEveryPhaseBoundary_RecoversWithNoFailedRequest()
    {
        await using var stack = await RecoveryStack.StartAsync();
        using var sources = new AppSources();
        var spec = new TestAppSpec { App = "crashy" };
        await stack.Admin.RegisterAsync(spec.App, spec.ToYaml());
        await stack.Admin.DeploySucceededAsync(spec.App, sources.Version(spec, "crashy v0"));

        var points = FaultInjection.PhasePoints.ToList();
        points.Insert(points.IndexOf("after:activate"), "during:activate");
        var table = new StringBuilder("| crash point | deployment | reason | current before → after | routed | previous | requests (failed) | journal |\n|---|---|---|---|---|---|---|---|\n");
        var total = 0;
        var version = 0;
        foreach (var point in points)
        {
            version++;
            var before = stack.Pointers(spec.App).Current;
            await using var load = await EdgeLoad.StartAsync(stack.HttpUrl, spec.Host, body => body.StartsWith("crashy v", StringComparison.Ordinal), Clients);
            await File.WriteAllTextAsync(stack.FaultFile, point);
            var killed = stack.Server!;
            try
            {
                await stack.Admin.DeployAsync(spec.App, sources.Version(spec, $"crashy v{version}"));
            }
            catch (HttpRequestException)
            {
                // The control plane may die before it answers (before:source comes right after the request).
            }

            await killed.WaitForExitAsync(TimeSpan.FromSeconds(90));
            Assert.Contains($"fault injected at {point}", killed.Output, StringComparison.Ordinal);
            Assert.False(File.Exists(stack.FaultFile));
            await stack.StartServerAsync();

            var id = stack.Query("SELECT id FROM deployments WHERE app = $app ORDER BY created_at DESC, id DESC LIMIT 1", r => r.GetString(0), ("$app", spec.App)).Single();
            var deployment = await stack.Admin.GetDeploymentAsync(id);
            var (current, previous) = stack.Pointers(spec.App);
            var expected = Promoted.Contains(point) ? "succeeded" : "failed";
            Assert.True(expected == deployment.Status, $"{point}: {deployment.Status} ({deployment.ErrorSummary}), expected {expected}\n{stack.Server!.Output}");
            Assert.Equal(Promoted.Contains(point) ? deployment.Generation : before, current);

            // Exactly the current generation is routed, and no candidate is left running.
            using var control = stack.EdgeControl();
            var service = await control.GetServiceAsync($"{spec.App}.prod", CancellationToken.None);
            Assert.NotNull(service);
            Assert.Equal([$"{spec.App}-prod-g{current}"], service.Targets.Select(t => t.Id));
            var live = stack.Query("SELECT number FROM generations WHERE app = $app AND state IN ('active', 'warm')", r => r.GetInt64(0), ("$app", spec.App));
            var running = (await control.ListProcessesAsync(CancellationToken.None)).Select(p => p.Id).Where(p => p.StartsWith(spec.App + "-", StringComparison.Ordinal)).ToList();
            Assert.All(running, p => Assert.Contains(p, live.Select(n => $"{spec.App}-prod-g{n}")));
            if (previous is { } p)
            {
                var state = stack.Query("SELECT state FROM generations WHERE app = $app AND number = $n", r => r.GetString(0), ("$app", spec.App), ("$n", p)).Single();
                Assert.True(p < current && state is "warm" or "stopped" or "active", $"previous {p} is {state}");
            }

            var body = (await stack.EdgeGetAsync(spec.Host, "/")).Body;
            Assert.StartsWith(Promoted.Contains(point) ? $"crashy v{version} " : "crashy v", body, StringComparison.Ordinal);
            var journal = stack.Query("SELECT type FROM events WHERE deployment_id = $id ORDER BY seq", r => r.GetString(0), ("$id", id));
            Assert.Contains("deploy.done", journal);
            if (point == "during:activate")
            {
                Assert.Contains(Slipway.ControlPlane.Hosting.StartupRecovery.RolledForward, journal);
            }

            await load.AtLeastAsync(Clients * 5);
            var result = await load.StopAsync();
            Assert.True(result.Failures == 0, $"{point}: {result}");
            total += result.Requests;
            table.Append(CultureInfo.InvariantCulture,
                $"| `{point}` | {deployment.Status} | {Reason(deployment.ErrorSummary)} | g{before} → g{current} | g{current} only | {(previous is null ? "—" : $"g{previous}")} | {result.Requests} (0) | {Summarize(journal)} |\n");
        }

        output.WriteLine(table.ToString());
        output.WriteLine($"{points.Count} crashes, {total} requests through the edge, 0 failed");
    }

    private static string Reason(string? summary) => summary is null ? "—" : summary.Split(';')[0];

    private static string Summarize(IEnumerable<string> journal) =>
        string.Join(" → ", journal.Where(t => t is not "deploy.log").Select(t => t.Replace("deploy.", "", StringComparison.Ordinal)).Distinct());
}
