using Slipway.ControlPlane.IO;
using Slipway.ControlPlane.Pipeline.Source;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Persistence;

namespace Slipway.ControlPlane.Pipeline.Release;

/// <summary>
/// The release phase: turns a built workspace into the immutable tree
/// <c>$SLIPWAY_HOME/releases/&lt;app&gt;/&lt;release&gt;/</c> with its <c>release.json</c>.
/// </summary>
/// <remarks>
/// The workspace is a sibling of the final tree (<c>releases/&lt;app&gt;/.work-&lt;deployment&gt;</c>), so
/// publishing is one rename on one file system: a release directory either does not exist or is complete.
/// The digest covers the tree after the build (build outputs are what runs), excluding <c>release.json</c>.
/// Builds that bake the absolute workspace path into their output will see it change at the rename.
/// </remarks>
internal sealed class ReleaseWriter
{
    private const string WorkspacePrefix = ".work-";

    private readonly string _releasesRoot;
    private readonly TimeProvider _timeProvider;

    public ReleaseWriter(string releasesRoot, TimeProvider timeProvider)
    {
        _releasesRoot = Path.GetFullPath(releasesRoot);
        _timeProvider = timeProvider;
    }

    /// <summary>The directory holding all releases of <paramref name="app"/>.</summary>
    public string AppDirectory(string app)
    {
        if (string.IsNullOrEmpty(app) || app.StartsWith('.') || app.Contains('/') || app.Contains('\0'))
        {
            throw new ArgumentException($"'{app}' cannot be used as an app directory name.", nameof(app));
        }

        return Path.Combine(_releasesRoot, app);
    }

    public string ReleaseDirectory(string app, string release) => Path.Combine(AppDirectory(app), release);

    /// <summary>Creates an empty workspace for <paramref name="deploymentId"/>, replacing a stale one.</summary>
    public string CreateWorkspace(string app, string deploymentId)
    {
        if (deploymentId.Contains('/') || deploymentId.StartsWith('.'))
        {
            throw new ArgumentException($"'{deploymentId}' cannot be used in a directory name.", nameof(deploymentId));
        }

        var workspace = Path.Combine(AppDirectory(app), WorkspacePrefix + deploymentId);
        FileTree.Delete(workspace);
        Directory.CreateDirectory(workspace);
        return workspace;
    }

    /// <summary>Deletes a workspace that will not become a release (failed or cancelled deployment).</summary>
    public static void DiscardWorkspace(string workspace) => FileTree.Delete(workspace);

    /// <summary>
    /// Digests the built <paramref name="workspace"/>, writes its manifest, makes it read-only and renames it to
    /// its release directory. If that release already exists (same content built in the same second), the
    /// workspace is discarded and the existing release is returned.
    /// </summary>
    public ReleaseManifest Publish(
        string app, string workspace, SourceResult source, IReadOnlyList<GateResult> gates, DeployLog log)
    {
        var digest = ReleaseDigest.Compute(
            workspace, new HashSet<string>(StringComparer.Ordinal) { ReleaseManifest.FileName });
        var builtAt = _timeProvider.GetUtcNow();
        var manifest = new ReleaseManifest
        {
            App = app,
            Release = ReleaseId.Create(builtAt, digest),
            Revision = source.Revision,
            Dirty = source.Dirty,
            Ref = source.Ref,
            Digest = digest,
            BuiltAt = builtAt,
            Gates = gates,
        };

        var target = ReleaseDirectory(app, manifest.Release);
        if (Directory.Exists(target))
        {
            var existing = ReleaseManifest.Read(target);
            if (existing.Digest != digest || !ReleaseDigest.Verify(target, existing))
            {
                throw new DeployFailedException(
                    DeploymentPhase.Release,
                    $"release directory '{target}' already exists with different content; remove it and deploy again",
                    null);
            }

            DiscardWorkspace(workspace);
            log.Append($"release {manifest.Release} already exists with the same digest; reusing it");
            return existing;
        }

        manifest.Write(workspace);
        FileTree.MakeReadOnly(workspace);
        Posix.SyncFileSystem(workspace);
        Directory.Move(workspace, target);
        AtomicFile.SyncDirectory(AppDirectory(app));

        log.Append($"release {manifest.Release} ({digest})");
        return manifest;
    }
}
