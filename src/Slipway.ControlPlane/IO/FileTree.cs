namespace Slipway.ControlPlane.IO;

/// <summary>Walks and changes whole directory trees without ever following a symlink.</summary>
internal static class FileTree
{
    /// <summary>
    /// Every entry under <paramref name="root"/>, parents before children, siblings in ordinal order.
    /// Symlinks are reported, never descended into.
    /// </summary>
    /// <param name="skip">Entries to leave out, together with everything below them.</param>
    public static IEnumerable<TreeEntry> Walk(string root, Func<TreeEntry, bool>? skip = null)
    {
        var fullRoot = Path.GetFullPath(root);
        var pending = new Stack<(string Full, string Relative)>();
        pending.Push((fullRoot, string.Empty));
        while (pending.Count > 0)
        {
            var (directory, relative) = pending.Pop();
            var children = new DirectoryInfo(directory).EnumerateFileSystemInfos()
                .OrderBy(c => c.Name, StringComparer.Ordinal)
                .ToList();

            var subdirectories = new List<(string, string)>();
            foreach (var child in children)
            {
                var childRelative = relative.Length == 0 ? child.Name : relative + "/" + child.Name;
                var entry = new TreeEntry(childRelative, child.FullName, KindOf(child));
                if (skip is not null && skip(entry))
                {
                    continue;
                }

                yield return entry;
                if (entry.Kind == TreeEntryKind.Directory)
                {
                    subdirectories.Add((child.FullName, childRelative));
                }
            }

            for (var i = subdirectories.Count - 1; i >= 0; i--)
            {
                pending.Push(subdirectories[i]);
            }
        }
    }

    /// <summary>The kind of the entry at <paramref name="path"/> itself (lstat), or null if it does not exist.</summary>
    public static TreeEntryKind? KindAt(string path) => Posix.FileTypeOf(path) switch
    {
        null => null,
        Posix.FileTypeRegular => TreeEntryKind.File,
        Posix.FileTypeDirectory => TreeEntryKind.Directory,
        Posix.FileTypeSymlink => TreeEntryKind.Symlink,
        _ => TreeEntryKind.Other,
    };

    private static TreeEntryKind KindOf(FileSystemInfo info) =>
        KindAt(info.FullName) ?? throw new FileNotFoundException($"'{info.FullName}' vanished while being read.");

    /// <summary>Removes every write bit in the tree, the root included, so the release cannot be edited.</summary>
    public static void MakeReadOnly(string root)
    {
        var entries = Walk(root).Where(e => e.Kind != TreeEntryKind.Symlink).ToList();
        foreach (var entry in entries.Where(e => e.Kind != TreeEntryKind.Directory))
        {
            UnixPermissions.Set(entry.FullPath, UnixPermissions.Get(entry.FullPath) & ~UnixPermissions.WriteBits);
        }

        foreach (var entry in entries.Where(e => e.Kind == TreeEntryKind.Directory).Reverse())
        {
            UnixPermissions.Set(entry.FullPath, UnixPermissions.Get(entry.FullPath) & ~UnixPermissions.WriteBits);
        }

        UnixPermissions.Set(root, UnixPermissions.Get(root) & ~UnixPermissions.WriteBits);
    }

    /// <summary>Gives the owner write permission again (root first, so children can be reached and changed).</summary>
    public static void MakeWritable(string root)
    {
        UnixPermissions.Set(root, UnixPermissions.Get(root) | UnixFileMode.UserWrite);
        foreach (var entry in Walk(root).Where(e => e.Kind is TreeEntryKind.Directory or TreeEntryKind.File))
        {
            UnixPermissions.Set(entry.FullPath, UnixPermissions.Get(entry.FullPath) | UnixFileMode.UserWrite);
        }
    }

    /// <summary>Deletes a tree even if it was made read-only.</summary>
    public static void Delete(string root)
    {
        if (!Directory.Exists(root))
        {
            return;
        }

        MakeWritable(root);
        Directory.Delete(root, recursive: true);
    }
}
