using System.Formats.Tar;

namespace Slipway.ControlPlane.IO;

/// <summary>
/// Unpacks a tar archive (what <c>git archive</c> writes) into a directory without ever writing through a link:
/// every entry's parent directories must be real directories below the target, so an archive that first plants
/// <c>a -&gt; /home</c> and then a file <c>a/x</c> cannot write outside. Only directories, regular files and
/// symlinks are accepted; the links themselves are checked afterwards by <see cref="TreeContainment"/>.
/// </summary>
internal static class SafeTarExtractor
{
    public static void Extract(Stream archive, string directory)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        Directory.CreateDirectory(root);
        using var reader = new TarReader(archive);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes)
            {
                continue;
            }

            var name = entry.Name.TrimEnd('/');
            var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (name.StartsWith('/') || parts.Length == 0 || parts.Any(p => p is "." or ".."))
            {
                throw new InvalidDataException($"'{entry.Name}': an archive entry must be a relative path without '.' or '..'");
            }

            var parent = root;
            foreach (var part in parts[..^1])
            {
                parent = Path.Combine(parent, part);
                switch (FileTree.KindAt(parent))
                {
                    case null:
                        Directory.CreateDirectory(parent);
                        break;
                    case TreeEntryKind.Directory:
                        break;
                    default:
                        throw new InvalidDataException($"'{name}': '{Path.GetRelativePath(root, parent)}' is not a directory (a link or a file), so the entry would be written through it");
                }
            }

            var target = Path.Combine(parent, parts[^1]);
            if (FileTree.KindAt(target) is { } existing && !(existing == TreeEntryKind.Directory && entry.EntryType == TarEntryType.Directory))
            {
                throw new InvalidDataException($"'{name}' appears twice in the archive");
            }

            var mode = UnixPermissions.Private(entry.Mode);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(target);
                    UnixPermissions.Set(target, mode | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                    using (var output = new FileStream(target, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write }))
                    {
                        entry.DataStream?.CopyTo(output);
                    }

                    UnixPermissions.Set(target, mode | UnixFileMode.UserRead | UnixFileMode.UserWrite);
                    break;
                case TarEntryType.SymbolicLink:
                    File.CreateSymbolicLink(target, entry.LinkName);
                    break;
                default:
                    throw new InvalidDataException($"'{name}' is a {entry.EntryType} entry; a release holds only directories, files and symlinks");
            }
        }
    }
}
