using Slipway.ControlPlane.IO;

namespace Slipway.ControlPlane.Pipeline.Release;

/// <summary>
/// Deletes release trees the caller no longer wants (beyond <c>keep_releases</c>; the caller decides which ids
/// to keep, always including current and previous). Leftover workspaces and half-deleted trees are cleaned up
/// too, except workspaces in use.
/// </summary>
internal sealed class ReleasePruner
{
    private const string TrashPrefix = ".trash-";

    private readonly ReleaseWriter _layout;

    public ReleasePruner(ReleaseWriter layout)
    {
        _layout = layout;
    }

    /// <returns>The ids of the releases removed.</returns>
    public IReadOnlyList<string> Prune(string app, IReadOnlySet<string> keep)
    {
        var appDirectory = _layout.AppDirectory(app);
        if (!Directory.Exists(appDirectory))
        {
            return [];
        }

        var removed = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories(appDirectory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(directory);
            if (name.StartsWith(TrashPrefix, StringComparison.Ordinal))
            {
                FileTree.Delete(directory);
                continue;
            }

            // Workspaces (".work-*") belong to deployments that may still be running.
            if (name.StartsWith('.') || keep.Contains(name))
            {
                continue;
            }

            // Rename first so the release vanishes at once; a crash mid-delete leaves only a trash directory.
            var trash = Path.Combine(appDirectory, $"{TrashPrefix}{name}-{Guid.NewGuid():N}");
            Directory.Move(directory, trash);
            FileTree.Delete(trash);
            removed.Add(name);
        }

        return removed;
    }
}
