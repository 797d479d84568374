using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Recovery;

/// <summary>
/// Steady-state health (docs/architecture.md §6): a current generation that falls ill is restarted; when the restart does not
/// help within the window and the previous generation is warm and healthy, Slipway rolls back by itself and
/// journals why.
/// </summary>
[Collection(RecoveryCollection.Name)]
public sealed class HealthRollbackTests
{
    [Fact]
    public async Task CurrentGeneration_StaysUnhealthyAfterRestart_RolledBackToWarmPrevious()
    {
        await using var stack = await RecoveryStack.StartAsync(new Dictionary<string, string> { ["SLIPWAY_HEALTH_ROLLBACK_AFTER"] = "2s" });
        using var sources = new AppSources();
        var spec = new TestAppSpec { App = "sickly", Env = new Dictionary<string, string> { ["TESTAPP_FAIL_HEALTH_FILE"] = "unhealthy" } };
        await stack.Admin.RegisterAsync(spec.App, spec.ToYaml());
        await stack.Admin.DeploySucceededAsync(spec.App, sources.Version(spec, "sickly v1"));
        var second = await stack.Admin.DeploySucceededAsync(spec.App, sources.Version(spec, "sickly v2"));
        Assert.StartsWith("sickly v2 ", (await stack.EdgeGetAsync(spec.Host, "/")).Body, StringComparison.Ordinal);

        // Generation 2 falls ill, and a restart will not cure it: the marker sits in its release tree.
        var releasePath = stack.Query("SELECT path FROM releases WHERE id = $id", r => r.GetString(0), ("$id", second.Release!)).Single();
        await File.WriteAllTextAsync(Path.Combine(releasePath, "unhealthy"), "");

        await Poll.UntilAsync(() => stack.Pointers(spec.App).Current == 1, TimeSpan.FromSeconds(60), "the automatic rollback to generation 1");
        await Poll.UntilAsync(async () => (await stack.EdgeGetAsync(spec.Host, "/")).Body.StartsWith("sickly v1 ", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "generation 1 to serve again");

        var journal = stack.Query("SELECT type, data_json FROM events WHERE app = $app AND type IN ('deploy.restart.start', 'deploy.health_rollback') ORDER BY seq",
            r => (Type: r.GetString(0), Data: r.GetString(1)), ("$app", spec.App));
        Assert.Contains(journal, e => e.Type == "deploy.restart.start" && e.Data.Contains("unhealthy", StringComparison.Ordinal));
        Assert.Contains(journal, e => e.Type == "deploy.health_rollback" && e.Data.Contains("stayed unhealthy", StringComparison.Ordinal));
        // Promotion comes before the drain phase; the rollback deployment ends a moment later.
        await Poll.UntilAsync(
            () => stack.Query("SELECT kind, status FROM deployments WHERE app = $app ORDER BY created_at DESC, id DESC LIMIT 1",
                r => (Kind: r.GetString(0), Status: r.GetString(1)), ("$app", spec.App)).Single() == ("rollback", "succeeded"),
            TimeSpan.FromSeconds(60), "the automatic rollback deployment to succeed");
    }
}
