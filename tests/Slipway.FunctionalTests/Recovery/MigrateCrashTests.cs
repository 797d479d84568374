using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Recovery;

/// <summary>
/// Migrate once per release across a control-plane crash (SIGKILL through SLIPWAY_FAULT_FILE): a crash after the
/// migration succeeded does not run it again when the release is deployed again; a crash while it ran (journaled
/// <c>started</c>, never finished) runs it again, since whether it completed cannot be known.
/// </summary>
[Collection(RecoveryCollection.Name)]
public sealed class MigrateCrashTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Deploy_KilledAfterOrDuringMigrate_MigrationRunsOnceOrIsRetried()
    {
        await using var stack = await RecoveryStack.StartAsync();
        using var sources = new AppSources();
        using var ledger = new MigrationLedgerFile();
        var spec = new TestAppSpec { App = "migcrash", Migrate = ledger.Command };
        await stack.Admin.RegisterAsync(spec.App, spec.ToYaml());

        // Killed right after the migration succeeded: the deployment ends failed, and deploying the same tree again skips it.
        var v1 = sources.Version(spec, "migcrash v1");
        var interrupted = await CrashDuringDeployAsync(stack, spec.App, v1, "after:migrate");
        Assert.Equal(("failed", "migrate"), (interrupted.Status, interrupted.Phase));
        Assert.Contains("interrupted", interrupted.ErrorSummary);
        Assert.Single(ledger.Lines());

        var (_, again) = await stack.Admin.DeployAndWaitAsync(spec.App, v1);
        Assert.True(again.Status == "succeeded", $"{again.Status}: {again.ErrorSummary}\n{again.LogTail}");
        Assert.Contains("migrate: already ran", again.LogTail);
        Assert.Single(ledger.Lines());
        Assert.StartsWith("migcrash v1 ", (await stack.EdgeGetAsync(spec.Host, "/")).Body, StringComparison.Ordinal);

        // Killed after `started` was journaled, before the command finished: the next deploy of that tree runs it again.
        var v2 = sources.Version(spec, "migcrash v2");
        await CrashDuringDeployAsync(stack, spec.App, v2, "during:migrate");
        Assert.Single(ledger.Lines());
        var status = stack.Query("SELECT status FROM release_migrations WHERE app = $app ORDER BY started_at DESC LIMIT 1", r => r.GetString(0), ("$app", spec.App));
        Assert.Equal(["started"], status);

        var (_, retried) = await stack.Admin.DeployAndWaitAsync(spec.App, v2);
        Assert.True(retried.Status == "succeeded", $"{retried.Status}: {retried.ErrorSummary}\n{retried.LogTail}");
        Assert.Contains("never finished", retried.LogTail);
        Assert.Equal(2, ledger.Lines().Count);
        Assert.StartsWith("migcrash v2 ", (await stack.EdgeGetAsync(spec.Host, "/")).Body, StringComparison.Ordinal);
    }

    private static async Task<Slipway.ControlPlane.Api.Contracts.DeploymentView> CrashDuringDeployAsync(RecoveryStack stack, string app, string source, string point)
    {
        await File.WriteAllTextAsync(stack.FaultFile, point);
        var killed = stack.Server!;
        var id = (await stack.Admin.DeployAsync(app, source)).Id;
        await killed.WaitForExitAsync(Deadline);
        Assert.Contains($"fault injected at {point}", killed.Output, StringComparison.Ordinal);
        await stack.StartServerAsync();
        return await stack.Admin.WaitUntilTerminalAsync(id, Deadline);
    }
}
