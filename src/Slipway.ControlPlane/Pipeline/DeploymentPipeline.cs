using Microsoft.Extensions.Logging;
using Slipway.ControlPlane.Deployments;
using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.IO;
using Slipway.ControlPlane.Pipeline.Build;
using Slipway.ControlPlane.Pipeline.Canary;
using Slipway.ControlPlane.Pipeline.Release;
using Slipway.ControlPlane.Pipeline.Source;
using Slipway.ControlPlane.Reliability;
using Slipway.ControlPlane.Runtime;
using Slipway.ControlPlane.Runtime.Docker;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Pipeline;

/// <summary>
/// The deployment lifecycle of docs/architecture.md §3, top to bottom:
/// source → build → release → migrate → start → validate → activate → drain.
/// Any failure before activation stops the candidate and leaves the serving generation untouched.
/// Cancellation is honoured until traffic moves; after that the run completes.
/// </summary>
internal sealed partial class DeploymentPipeline(
    SlipwayStore store,
    DeploymentJournal journal,
    LocalSource source,
    BuildRunner build,
    ReleaseWriter releases,
    MigratePhase migrate,
    StartPhase start,
    ValidatePhase validate,
    ActivatePhase activate,
    RolloutPhase rollout,
    DrainPhase drain,
    AppRuntimes runtimes,
    ILogger<DeploymentPipeline> logger)
{
    /// <summary>Directories never copied into a release (the Slipway home, when it sits inside the app's folder).</summary>
    public IReadOnlyCollection<string> ExcludedSourceDirectories { get; init; } = [];

    /// <summary>Held for the whole run, so the reconciler never repairs a route in the middle of an activation.</summary>
    public AppLocks Locks { get; init; } = new();
    /// <summary>The source phase for apps with <c>source: { git: ... }</c>.</summary>
    public GitSource? Git { get; init; }

    /// <summary>
    /// Called when a run is about to succeed, before <c>deploy.done</c>: queues the promotion of its release to the
    /// next environment (<c>promote: auto</c>) and returns it, or null.
    /// </summary>
    public Func<DeploymentRun, Deployment?>? PromoteNext { get; set; }

    public async Task<Deployment> RunAsync(DeploymentRun run, CancellationToken cancellationToken)
    {
        // Not cancellable: the reconciler holds the lock for one short pass at most.
        using var exclusive = await Locks.EnterAsync(run.App, run.Env, CancellationToken.None);
        var started = journal.Start(run);
        string? workspace = null;
        // What runs new generations; existing ones are found by their instance ids (an app may have switched runtimes).
        var runtime = runtimes.For(run.Spec.Runtime);
        try
        {
            RequireDeclaredSecrets(run);
            if (run.Release is null)
            {
                journal.Phase(run, DeploymentPhase.Source);
                workspace = releases.CreateWorkspace(run.App, run.Id);
                var fetched = await FetchAsync(run, workspace, cancellationToken);
                FaultInjection.After(DeploymentPhase.Source);

                journal.Phase(run, DeploymentPhase.Build);
                var gates = await build.RunAsync(run.Spec.Build, workspace, run.WithSecrets(run.Spec.Env), run.Log, cancellationToken);
                RequireSelfContained(workspace, DeploymentPhase.Build);
                FaultInjection.After(DeploymentPhase.Build);

                journal.Phase(run, DeploymentPhase.Release);
                cancellationToken.ThrowIfCancellationRequested();
                var manifest = releases.Publish(run.App, workspace, fetched, gates, run.Log);
                workspace = null;
                run.Release = store.GetRelease(manifest.Release) ?? store.RecordRelease(manifest.ToLedgerRow(releases.ReleaseDirectory(run.App, manifest.Release)), run.Id);
                FaultInjection.After(DeploymentPhase.Release);
            }

            // Every run prepares its runtime's artifact again: a rollback's image, say, may have been pruned since.
            run.Release = await runtime.PrepareAsync(run.Spec, run.Release, run.Log.Append, cancellationToken);

            var release = run.Release;
            if (run.Deployment.Kind == DeploymentKind.Promote)
            {
                journal.Phase(run, DeploymentPhase.Release, release.Id);
                PromotionCheck.Verify(store, run, release, runtime);
            }

            var candidate = await WarmGenerationAsync(run, release, cancellationToken);
            if (candidate is null && run.Spec.Migrate is not null)
            {
                journal.Phase(run, DeploymentPhase.Migrate, release.Id);
                await migrate.RunAsync(run, release, cancellationToken);
                FaultInjection.After(DeploymentPhase.Migrate);
            }

            if (candidate is null)
            {
                journal.Phase(run, DeploymentPhase.Start, release.Id);
                candidate = await start.StartAsync(run, release, cancellationToken);
                FaultInjection.After(DeploymentPhase.Start);

                journal.Phase(run, DeploymentPhase.Validate, release.Id, candidate.Generation);
                await validate.ValidateAsync(candidate, run.Spec.Probes, run.Spec.Protocol, release.Revision ?? "", release.Digest, run.Log.Append, cancellationToken);
                FaultInjection.After(DeploymentPhase.Validate);
            }
            else
            {
                // Instant rollback: the generation is running and was serving until it was replaced;
                // the edge still checks its health before it swaps.
                run.Log.Append($"rollback: generation {candidate.Generation} of release {release.Id} is still warm; swapping the route back");
            }

            // Progressive delivery (docs/rollout.md): the candidate earns its traffic step by step before the swap.
            var plan = rollout.Plan(run, candidate);
            if (plan is not null)
            {
                journal.Phase(run, DeploymentPhase.Rollout, release.Id, candidate.Generation);
                await rollout.RunAsync(run, candidate, plan, cancellationToken);
                FaultInjection.After(DeploymentPhase.Rollout);
            }

            journal.Phase(run, DeploymentPhase.Activate, release.Id, candidate.Generation);
            cancellationToken.ThrowIfCancellationRequested();
            var replaced = await activate.ActivateAsync(run, candidate, cancellationToken);
            run.Unsplit = null;
            FaultInjection.After(DeploymentPhase.Activate);
            if (plan is not null)
            {
                rollout.Completed(run);
            }

            journal.Phase(run, DeploymentPhase.Drain);
            await drain.DrainAsync(run, replaced, CancellationToken.None);
            FaultInjection.After(DeploymentPhase.Drain);
            await runtime.PruneAsync(run.Spec, run.Log.Append, CancellationToken.None);
            PruneReleases(run);
            QueuePromotion(run);
            journal.Phase(run, DeploymentPhase.Done);
            return Finish(run, DeploymentStatus.Succeeded, 0, null, started);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !run.Activated)
        {
            run.Log.Append($"cancelled during {journal.CurrentPhase(run)}; the serving generation is untouched");
            await AbandonCandidateAsync(run);
            return Finish(run, DeploymentStatus.Cancelled, null, $"cancelled during {journal.CurrentPhase(run)}", started);
        }
        catch (DeployFailedException e) when (!run.Activated)
        {
            run.Log.Append($"{e.Phase} failed: {e.Summary}");
            await AbandonCandidateAsync(run);
            return Finish(run, DeploymentStatus.Failed, e.ExitCode ?? 1, $"{e.Phase}: {e.Summary}", started);
        }
        catch (Exception e) when (!run.Activated)
        {
            Log.PipelineCrashed(logger, run.Id, e);
            run.Log.Append($"internal error: {e.Message}");
            await AbandonCandidateAsync(run);
            return Finish(run, DeploymentStatus.Failed, 1, $"internal error: {e.Message}", started);
        }
        catch (Exception e)
        {
            // Traffic already moved to the new generation; what failed was tidying up after it.
            Log.PipelineCrashed(logger, run.Id, e);
            run.Log.Append($"after activation: {e.Message}");
            return Finish(run, DeploymentStatus.Succeeded, 0, null, started);
        }
        finally
        {
            if (workspace is not null)
            {
                ReleaseWriter.DiscardWorkspace(workspace);
            }
        }
    }

    /// <summary>
    /// A name under <c>secrets:</c> says the app needs it: starting without a value would fail later and less clearly
    /// (a build step or the app reading an empty variable), so the run stops before anything is fetched.
    /// </summary>
    private static void RequireDeclaredSecrets(DeploymentRun run)
    {
        var missing = run.Spec.Secrets.Where(name => !run.Secrets.ContainsKey(name)).ToList();
        if (missing.Count > 0)
        {
            var setting = string.Join("; ", missing.Select(name => $"printf %s \"$VALUE\" | slipway secrets set {run.App} {name}"));
            throw new DeployFailedException(DeploymentPhase.Secrets,
                $"{string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} listed under `secrets:` in slipway.yml but not set: {setting}; or remove {(missing.Count == 1 ? "it" : "them")} from `secrets:`", 2);
        }
    }

    private async Task<SourceResult> FetchAsync(DeploymentRun run, string workspace, CancellationToken cancellationToken)
    {
        SourceResult fetched;
        if (run.Deployment.FromDir is { } from)
        {
            fetched = await source.CopyAsync(from, workspace, run.Log, cancellationToken, ExcludedSourceDirectories);
        }
        else if (run.Spec.Source is { Git: not null } git && Git is not null)
        {
            fetched = await Git.FetchAsync(run.App, git, run.Deployment.RequestedRevision, workspace, run.Log, cancellationToken);
        }
        else
        {
            throw new DeployFailedException(DeploymentPhase.Source, "nothing to deploy from: give --from DIR, or add `source: { git: URL }` to the app's spec", null);
        }

        RequireSelfContained(workspace, DeploymentPhase.Source);
        return fetched;
    }

    /// <summary>
    /// Whoever can push to the app's repository decides its links: one that resolves outside the tree would put host
    /// files (keys, the Slipway home, other apps' mirrors) into the release or its image, so the release is refused.
    /// </summary>
    private static void RequireSelfContained(string workspace, DeploymentPhase phase)
    {
        if (TreeContainment.FindEscape(workspace) is { } escape)
        {
            throw new DeployFailedException(phase,
                $"'{escape.Path}' {escape.Reason}; a release must be self-contained: make it a relative link to something inside the tree, or remove it",
                null);
        }
    }

    /// <summary>
    /// Keeps the newest <c>keep_releases</c> release trees plus every release a current or previous generation runs; the
    /// ledger rows stay, so `releases` still shows where older ones ran.
    /// </summary>
    private void PruneReleases(DeploymentRun run)
    {
        var keep = store.ListReleases(run.App)
            .OrderByDescending(r => r.BuiltAt)
            .Take(run.Spec.KeepReleases)
            .Select(r => r.Id)
            .Concat(store.ListLiveGenerations().Where(g => g.App == run.App && IsKept(g)).Select(g => g.ReleaseId))
            .ToHashSet(StringComparer.Ordinal);
        // Warm generations other than the previous one are being stopped (DrainPhase); only the
        // previous one is a rollback target.
        bool IsKept(Generation g) => g.State != GenerationState.Warm || store.GetPointers(g.App, g.Env).Previous == g.Number;

        foreach (var removed in new ReleasePruner(releases).Prune(run.App, keep))
        {
            run.Log.Append($"release {removed} pruned (keep_releases: {run.Spec.KeepReleases})");
        }
    }

    private void QueuePromotion(DeploymentRun run)
    {
        try
        {
            if (PromoteNext?.Invoke(run) is { } promotion)
            {
                run.Log.Append($"promote: release {run.Release?.Id} passed {run.Env}; deployment {promotion.Id} promotes it to {promotion.Env}");
            }
        }
        catch (Exception e) when (e is StoreException or RequestRefusedException)
        {
            // The release is live here either way; promoting it is a separate step the user can take by hand.
            run.Log.Append($"promote: could not queue the promotion: {e.Message}; run `slipway promote {run.App} --to ENV`");
        }
    }

    /// <summary>For a rollback: the warm generation of the release, if its process still runs.</summary>
    private async Task<Candidate?> WarmGenerationAsync(DeploymentRun run, Store.Release release, CancellationToken cancellationToken)
    {
        if (run.Deployment.Kind != DeploymentKind.Rollback)
        {
            return null;
        }

        var warm = store.ListGenerations(run.App, run.Env)
            .FirstOrDefault(g => g.State == GenerationState.Warm && g.ReleaseId == release.Id && g.ProcessId is not null && g.Port is not null);
        if (warm is null || await runtimes.ForInstance(warm.ProcessId!).GetStateAsync(warm.ProcessId!, cancellationToken) is not { State: ProcessState.Running })
        {
            return null;
        }

        return new Candidate(run.App, run.Env, (int)warm.Number, warm.ProcessId!, warm.Port!.Value, release.Id) { Replicas = run.Spec.Swarm?.Replicas ?? 1 };
    }

    private async Task AbandonCandidateAsync(DeploymentRun run)
    {
        if (run.Unsplit is { } unsplit)
        {
            // A rollout's canary still has its share: traffic goes back to the stable generation before the candidate stops.
            await unsplit();
        }

        if (run.Candidate is not { } candidate)
        {
            return;
        }

        try
        {
            await runtimes.ForInstance(candidate.ProcessId).StopAsync(candidate.ProcessId, TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (Exception e) when (e is Edge.EdgeUnavailableException or DockerException)
        {
            run.Log.Append($"could not stop candidate {candidate.ProcessId}: {e.Message}; recovery will stop it");
        }

        store.SetGenerationState(run.App, run.Env, candidate.Generation, GenerationState.Failed, deploymentId: run.Id);
    }

    private Deployment Finish(DeploymentRun run, DeploymentStatus status, int? exitCode, string? summary, long started)
    {
        if (status != DeploymentStatus.Succeeded)
        {
            rollout.Ended(run, summary);
        }

        return journal.Finish(run, status, exitCode, summary, started);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Deployment {Id} hit an unexpected error")]
        public static partial void PipelineCrashed(ILogger logger, string id, Exception exception);
    }
}
