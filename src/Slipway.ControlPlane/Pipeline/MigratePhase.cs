using Slipway.ControlPlane.Processes;
using Slipway.ControlPlane.Reliability;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Pipeline;

/// <summary>
/// The migrate phase (docs/architecture.md §3): the spec's <c>migrate</c> command, once per release, before the release's first
/// candidate starts. It runs with <c>bash -c</c> in the release tree, in its own process group, with the
/// environment a generation of the release gets (without <c>PORT</c> and <c>SLIPWAY_GENERATION</c>), under
/// <c>migrate_timeout</c>. A non-zero exit or a timeout fails the deployment before anything started, so the
/// serving generation is untouched.
/// </summary>
/// <remarks>
/// "Once" is kept by the ledger (<c>release_migrations</c>): <c>started</c> is committed before the command runs and
/// <c>succeeded</c>/<c>failed</c> after it. A release whose tree (digest) already migrated successfully skips the
/// command: a promotion, a redeploy or a rollback of it, and a deploy again after a control-plane crash that
/// came after the migration. A record still <c>started</c> means the control plane died while the command ran; whether
/// it finished is unknowable, so the next deployment of that tree runs it again.
/// </remarks>
internal sealed class MigratePhase(ProcessGroupRunner runner, SlipwayStore store)
{
    private const int SummaryLines = 10;

    /// <returns>False when the release's tree had already migrated and nothing ran.</returns>
    public async Task<bool> RunAsync(DeploymentRun run, Store.Release release, CancellationToken cancellationToken)
    {
        var command = run.Spec.Migrate ?? throw new InvalidOperationException("The app has no migrate command.");
        var earlier = store.FindMigration(run.App, release.Digest);
        switch (earlier?.Status)
        {
            case MigrationStatus.Succeeded:
                var same = earlier.ReleaseId == release.Id ? "" : $" as release {earlier.ReleaseId} (same digest)";
                run.Log.Append($"migrate: already ran{same} at {earlier.FinishedAt:u}; not running it again");
                return false;
            case MigrationStatus.Started:
                run.Log.Append($"migrate: the attempt started at {earlier.StartedAt:u} (release {earlier.ReleaseId}) never finished: "
                               + "the control plane stopped while it ran; running it again");
                break;
            case MigrationStatus.Failed:
                run.Log.Append($"migrate: the last attempt (release {earlier.ReleaseId}) failed with exit code {earlier.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}; running it again");
                break;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var environment = Environment(run, release);
        var attempt = store.StartMigration(release, run.Id);
        run.Log.Append($"==> migrate (attempt {attempt.Attempts}): {command}");
        FaultInjection.At("during:migrate");

        var request = ProcessRequest.Bash(command, release.Path) with
        {
            // The app's secrets too (a database URL, typically); the log's redactor already knows them.
            Environment = run.WithSecrets(environment),
            Timeout = run.Spec.MigrateTimeout,
            TailLines = SummaryLines,
        };
        ProcessResult result;
        try
        {
            result = await runner.RunAsync(request, line => run.Log.Append("[migrate] " + line), cancellationToken);
        }
        catch (Exception)
        {
            store.FinishMigration(release.Id, succeeded: false, exitCode: null);
            throw;
        }

        var lastLines = result.LastLines.Select(run.Log.Redactor.Redact).ToList();
        if (result.Cancelled)
        {
            store.FinishMigration(release.Id, succeeded: false, exitCode: null);
            run.Log.Append($"==> migrate cancelled after {Durations.Format(result.Duration)}; killed");
            throw new OperationCanceledException("The migrate command was cancelled.", cancellationToken);
        }

        if (result.TimedOut)
        {
            store.FinishMigration(release.Id, succeeded: false, exitCode: null);
            run.Log.Append($"==> migrate timed out after {Durations.Format(run.Spec.MigrateTimeout)}; killed");
            throw new DeployFailedException(DeploymentPhase.Migrate,
                DeployFailedException.WithLastLines($"`migrate` timed out after {Durations.Format(run.Spec.MigrateTimeout)} (migrate_timeout)", lastLines), null);
        }

        store.FinishMigration(release.Id, result.ExitCode == 0, result.ExitCode);
        run.Log.Append($"==> migrate exited with code {result.ExitCode} after {Durations.Format(result.Duration)}");
        if (result.ExitCode != 0)
        {
            throw new DeployFailedException(DeploymentPhase.Migrate,
                DeployFailedException.WithLastLines($"`migrate` exited with code {result.ExitCode}", lastLines), result.ExitCode);
        }

        return true;
    }

    /// <summary>A generation's environment (StartPhase), minus what only a running generation has.</summary>
    private static Dictionary<string, string> Environment(DeploymentRun run, Store.Release release)
    {
        var environment = StartPhase.Environment(run.Spec, run.Env, 0, release, 0);
        environment.Remove("PORT");
        environment.Remove("SLIPWAY_GENERATION");
        return environment;
    }
}
