using Slipway.ControlPlane.Pipeline.Release;
using Slipway.ControlPlane.Runtime;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Pipeline;

/// <summary>
/// Invariant 8 (docs/architecture.md §9.8) before a promotion starts anything: the release it runs is the one its promotion record names, with
/// the digest validated in the environment before, and, when the runtime runs the tree on disk, the tree still hashes
/// to it (an image is pinned by id instead, which validation checks). The version probe then checks that the running
/// candidate reports that digest.
/// </summary>
internal static class PromotionCheck
{
    public static void Verify(SlipwayStore store, DeploymentRun run, Store.Release release, IAppRuntime runtime)
    {
        var promotion = store.GetPromotion(run.Id)
            ?? throw new DeployFailedException(DeploymentPhase.Release, $"deployment {run.Id} has no promotion record; promote with `slipway promote {run.App} --to {run.Env}`", null);
        var source = promotion.Source;
        if (source.ReleaseId != release.Id || source.Digest != release.Digest)
        {
            throw new DeployFailedException(DeploymentPhase.Release,
                $"release {release.Id} ({release.Digest}) is not the release {source.ReleaseId} ({source.Digest}) validated in {source.FromEnv}; nothing was started", null);
        }

        if (runtime.RunsReleaseTree)
        {
            var manifest = ReleaseManifest.Read(release.Path);
            if (manifest.Digest != source.Digest || !ReleaseDigest.Verify(release.Path, manifest))
            {
                throw new DeployFailedException(DeploymentPhase.Release,
                    $"the tree of release {release.Id} no longer hashes to {source.Digest}, the digest validated in {source.FromEnv}: it changed on disk; deploy again", null);
            }
        }

        run.Log.Append($"promote: release {release.Id} ({release.Digest}) passed {source.FromEnv} in deployment {source.ValidatedBy}; "
                       + $"its tree still has that digest; nothing is rebuilt");
    }
}
