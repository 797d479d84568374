namespace Slipway.ControlPlane.IO;

/// <summary>
/// Checks that a tree is self-contained: every symlink resolves, link by link and component by component the way
/// the kernel resolves it, to a place inside the tree, and nothing in it is a socket, FIFO or device. A lexical
/// check of each link alone is not enough: <c>a -> b/..</c> where <c>b</c> is itself a link climbs out through
/// <c>b</c>'s target.
/// </summary>
internal static class TreeContainment
{
    /// <summary>Linux gives up after 40 links in one resolution (ELOOP); so do we.</summary>
    private const int MaxLinkHops = 40;

    /// <summary>The first problem found in <paramref name="root"/>, or null when the tree is self-contained.</summary>
    /// <returns>The relative path of the offending entry and why it is refused.</returns>
    public static (string Path, string Reason)? FindEscape(string root)
    {
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        foreach (var entry in FileTree.Walk(fullRoot))
        {
            switch (entry.Kind)
            {
                case TreeEntryKind.Other:
                    return (entry.RelativePath, "is a socket, FIFO or device, which a release cannot hold");
                case TreeEntryKind.Symlink:
                    var target = new FileInfo(entry.FullPath).LinkTarget ?? "";
                    if (Resolve(fullRoot, entry.RelativePath) is { } reason)
                    {
                        return (entry.RelativePath, $"is a symlink to '{target}', which {reason}");
                    }

                    break;
            }
        }

        return null;
    }

    /// <summary>
    /// Follows the link at <paramref name="relativeLink"/> to the end; null when every step stays inside
    /// <paramref name="root"/>, otherwise why it does not.
    /// </summary>
    private static string? Resolve(string root, string relativeLink)
    {
        // Where resolution stands, as components below the root; a link's target is read relative to its directory.
        var current = relativeLink.Split('/').ToList();
        var linkName = current[^1];
        current.RemoveAt(current.Count - 1);
        var pending = new LinkedList<string>();
        pending.AddFirst(linkName);
        var hops = 0;
        while (pending.First is { } next)
        {
            pending.RemoveFirst();
            var component = next.Value;
            if (component is "" or ".")
            {
                continue;
            }

            if (component == "..")
            {
                if (current.Count == 0)
                {
                    return "leaves the tree";
                }

                current.RemoveAt(current.Count - 1);
                continue;
            }

            var candidate = Path.Combine(root, Path.Combine([.. current, component]));
            if (FileTree.KindAt(candidate) != TreeEntryKind.Symlink)
            {
                // A missing entry or a file is not followed any further: the link dangles or ends here, inside.
                current.Add(component);
                continue;
            }

            if (++hops > MaxLinkHops)
            {
                return $"goes through more than {MaxLinkHops} links (a loop)";
            }

            var target = new FileInfo(candidate).LinkTarget ?? "";
            if (Path.IsPathRooted(target))
            {
                return "is an absolute path; a release must use relative links that stay inside it";
            }

            var parts = target.Split('/');
            for (var i = parts.Length - 1; i >= 0; i--)
            {
                pending.AddFirst(parts[i]);
            }
        }

        return null;
    }
}
