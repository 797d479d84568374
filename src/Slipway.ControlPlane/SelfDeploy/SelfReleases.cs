using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Pipeline.Build;
using Slipway.ControlPlane.Pipeline.Release;
using Slipway.ControlPlane.Pipeline.Source;
using Slipway.ControlPlane.Processes;
using Slipway.ControlPlane.Reliability;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.SelfDeploy;

/// <summary>
/// Source, build and release for a self-deploy. Publishing Slipway takes tens of seconds, so a clean revision that
/// already has a retained release is not built again: its release is reused as it is (same digest).
/// </summary>
internal sealed class SelfReleases(
    SlipwayStore store, LocalSource local, GitMirror mirror, GitSource git, BuildRunner build, ReleaseWriter releases, ProcessGroupRunner runner)
{
    /// <summary>Directories never copied into a release (the Slipway home, when it sits inside the source).</summary>
    public IReadOnlyCollection<string> ExcludedSourceDirectories { get; init; } = [];

    public async Task<Store.Release> ObtainAsync(DeploymentRun run, Action<DeploymentPhase> phase, CancellationToken cancellationToken)
    {
        if (SelfBinary.IsBinary(run.Deployment.FromDir))
        {
            return await BinaryReleaseAsync(run, run.Deployment.FromDir!, phase, cancellationToken);
        }

        phase(DeploymentPhase.Source);
        var revision = await CleanRevisionAsync(run, cancellationToken);
        if (revision is not null && Existing(revision) is { } existing)
        {
            run.Log.Append($"release {existing.Id} of revision {revision} exists; not rebuilt");
            return existing;
        }

        var workspace = releases.CreateWorkspace(run.App, run.Id);
        try
        {
            SourceResult fetched;
            if (run.Deployment.FromDir is { } from)
            {
                fetched = await local.CopyAsync(from, workspace, run.Log, cancellationToken, ExcludedSourceDirectories);
            }
            else if (run.Spec.Source?.Git is not null)
            {
                fetched = await git.FetchAsync(run.App, run.Spec.Source, run.Deployment.RequestedRevision, workspace, run.Log, cancellationToken);
            }
            else
            {
                throw new DeployFailedException(DeploymentPhase.Source,
                    "nothing to deploy the control plane from: give --from DIR (a Slipway checkout), or --source URL|PATH [--branch B] once", null);
            }

            FaultInjection.After(DeploymentPhase.Source);
            phase(DeploymentPhase.Build);
            var gates = await build.RunAsync(run.Spec.Build, workspace, run.Spec.Env, run.Log, cancellationToken);
            FaultInjection.After(DeploymentPhase.Build);

            phase(DeploymentPhase.Release);
            cancellationToken.ThrowIfCancellationRequested();
            var manifest = releases.Publish(run.App, workspace, fetched, gates, run.Log);
            workspace = null;
            return store.GetRelease(manifest.Release) ?? store.RecordRelease(manifest.ToLedgerRow(releases.ReleaseDirectory(run.App, manifest.Release)), run.Id);
        }
        finally
        {
            if (workspace is not null)
            {
                ReleaseWriter.DiscardWorkspace(workspace);
            }
        }
    }

    /// <summary>A release whose tree is one release binary: nothing to build; an identical binary reuses its release.</summary>
    private async Task<Store.Release> BinaryReleaseAsync(DeploymentRun run, string binary, Action<DeploymentPhase> phase, CancellationToken cancellationToken)
    {
        phase(DeploymentPhase.Source);
        var workspace = releases.CreateWorkspace(run.App, run.Id);
        try
        {
            var fetched = await SelfBinary.CopyAsync(binary, workspace, run.Log, cancellationToken);
            if (Existing(fetched.Revision) is { } existing)
            {
                run.Log.Append($"release {existing.Id} holds the same binary; not copied again");
                return existing;
            }

            FaultInjection.After(DeploymentPhase.Source);
            phase(DeploymentPhase.Build);
            run.Log.Append("build: nothing to build (a release binary is deployed as it is)");
            phase(DeploymentPhase.Release);
            cancellationToken.ThrowIfCancellationRequested();
            var manifest = releases.Publish(run.App, workspace, fetched, [], run.Log);
            workspace = null;
            return store.GetRelease(manifest.Release) ?? store.RecordRelease(manifest.ToLedgerRow(releases.ReleaseDirectory(run.App, manifest.Release)), run.Id);
        }
        finally
        {
            if (workspace is not null)
            {
                ReleaseWriter.DiscardWorkspace(workspace);
            }
        }
    }

    /// <summary>Keeps the newest <c>keep_releases</c> trees plus the ones live generations run.</summary>
    public void Prune(DeploymentRun run)
    {
        var keep = store.ListReleases(run.App)
            .OrderByDescending(r => r.BuiltAt)
            .Take(run.Spec.KeepReleases)
            .Select(r => r.Id)
            .Concat(store.ListLiveGenerations().Where(g => g.App == run.App).Select(g => g.ReleaseId))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var removed in new ReleasePruner(releases).Prune(run.App, keep))
        {
            run.Log.Append($"release {removed} pruned (keep_releases: {run.Spec.KeepReleases})");
        }
    }

    /// <summary>The newest retained release built from exactly <paramref name="revision"/> with no local changes.</summary>
    private Store.Release? Existing(string revision) =>
        store.ListReleases(SelfApp.Name)
            .Where(r => r.Revision == revision && !r.Dirty && Directory.Exists(r.Path) && File.Exists(Path.Combine(r.Path, ReleaseManifest.FileName)))
            .OrderByDescending(r => r.BuiltAt)
            .FirstOrDefault();

    /// <summary>The commit the run would build when it names one with certainty: a clean checkout's HEAD, or the resolved git revision.</summary>
    private async Task<string?> CleanRevisionAsync(DeploymentRun run, CancellationToken cancellationToken)
    {
        if (run.Deployment.FromDir is { } from)
        {
            var head = await GitAsync(from, ["rev-parse", "--verify", "-q", "HEAD"], cancellationToken);
            var status = await GitAsync(from, ["status", "--porcelain", "--untracked-files=normal"], cancellationToken);
            return head is { Length: 40 or 64 } && status == "" ? head : null;
        }

        if (run.Spec.Source is { Git: { } url } source)
        {
            var repository = await mirror.UpdateAsync(run.App, url, null, run.Log, cancellationToken);
            return await mirror.ResolveAsync(repository, run.Deployment.RequestedRevision ?? source.Branch, cancellationToken);
        }

        return null;
    }

    private async Task<string?> GitAsync(string directory, string[] args, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            return null;
        }

        var result = await runner.RunAsync(new ProcessRequest
        {
            Argv = ["git", .. args],
            WorkingDirectory = directory,
            Timeout = TimeSpan.FromMinutes(1),
            CaptureStdout = true,
        }, null, cancellationToken);
        return result.Succeeded ? result.Output?.Trim() ?? "" : null;
    }
}
