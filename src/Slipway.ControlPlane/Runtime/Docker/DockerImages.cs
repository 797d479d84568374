using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>
/// The image of each release (<c>runtime: docker</c>): built in the release phase from the release tree's
/// Dockerfile, tagged <c>slipway/&lt;app&gt;:&lt;release&gt;</c> for people, pinned by id in the ledger for Slipway.
/// </summary>
internal sealed class DockerImages(DockerEngine engine, SlipwayStore store)
{
    /// <returns>The release with its image id; built now unless the ledger's image still exists.</returns>
    public async Task<Store.Release> EnsureAsync(AppSpec spec, Store.Release release, Action<string> log, CancellationToken cancellationToken)
    {
        try
        {
            if (release.ImageId is { } existing && await engine.InspectImageAsync(existing, cancellationToken) is not null)
            {
                log($"release: image {DockerEngine.Short(existing)} of release {release.Id} exists");
                return release;
            }

            var imageId = await BuildAsync(engine, spec, release, $"slipway/{spec.App}:{release.Id}", log, cancellationToken);
            log($"release: image {DockerEngine.Short(imageId)} built and pinned for release {release.Id}");
            return store.SetReleaseImage(release.Id, imageId);
        }
        catch (DockerException e)
        {
            throw new DeployFailedException(DeploymentPhase.Release, e.Message, null, e);
        }
    }

    /// <summary>
    /// Builds <paramref name="release"/>'s image on <paramref name="on"/> from its tree's Dockerfile, tagged
    /// <paramref name="tag"/> and labelled with app, release and digest (the docker runtime's engine, or a swarm
    /// manager). A missing Dockerfile or a failed build fails the release phase; other engine errors are the caller's.
    /// </summary>
    /// <returns>The image id.</returns>
    public static async Task<string> BuildAsync(DockerEngine on, AppSpec spec, Store.Release release, string tag, Action<string> log, CancellationToken cancellationToken)
    {
        var dockerfile = spec.Docker?.Dockerfile ?? "Dockerfile";
        var path = Path.Combine(release.Path, dockerfile);
        if (!File.Exists(path))
        {
            throw new DeployFailedException(DeploymentPhase.Release,
                $"no Dockerfile at {path}: add `{dockerfile}` to the app, or name another file with `docker: {{ dockerfile: PATH }}` in slipway.yml", null);
        }

        log($"release: building image {tag} from {dockerfile}");
        try
        {
            return await on.BuildImageAsync(release.Path, dockerfile, tag,
                new Dictionary<string, string> { [DockerLabels.App] = spec.App, [DockerLabels.Release] = release.Id, [DockerLabels.Digest] = release.Digest },
                line => log("docker: " + line), cancellationToken);
        }
        catch (DockerBuildException e)
        {
            throw new DeployFailedException(DeploymentPhase.Release, $"docker build failed: {e.Message}\n{string.Join('\n', e.LastLines.TakeLast(10))}".TrimEnd(), null, e);
        }
    }

    /// <summary>
    /// Removes the images of an app's releases beyond <c>keep_releases</c> (newest kept), never one a live or
    /// rollback-target generation runs. An image still used by some container is left alone.
    /// </summary>
    /// <returns>The ids of the images removed.</returns>
    public async Task<IReadOnlyList<string>> PruneAsync(string app, int keepReleases, IEnumerable<string> environments, CancellationToken cancellationToken)
    {
        var inUse = new HashSet<string>(StringComparer.Ordinal);
        foreach (var env in environments)
        {
            var pointers = store.GetPointers(app, env);
            foreach (var generation in store.ListGenerations(app, env))
            {
                if (generation.State is not (GenerationState.Stopped or GenerationState.Failed) ||
                    generation.Number == pointers.Current || generation.Number == pointers.Previous)
                {
                    inUse.Add(generation.ReleaseId);
                }
            }
        }

        var removed = new List<string>();
        foreach (var release in store.ListReleases(app).Skip(Math.Max(keepReleases, 1)))
        {
            if (release.ImageId is { } imageId && !inUse.Contains(release.Id) &&
                await engine.InspectImageAsync(imageId, cancellationToken) is not null &&
                await engine.RemoveImageAsync(imageId, cancellationToken))
            {
                removed.Add(imageId);
            }
        }

        return removed;
    }
}
