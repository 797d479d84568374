using System.Formats.Tar;
using System.Net;
using Slipway.ControlPlane.IO;

namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>
/// A directory sent as a tar archive, written straight into the request body (chunked) rather than staged on
/// disk or in memory: a release tree can be large.
/// </summary>
internal sealed class TarContextContent : HttpContent
{
    private readonly string _directory;

    public TarContextContent(string directory)
    {
        _directory = directory;
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // The engine reads ownership from the archive; entries owned by root keep the image independent of who ran Slipway.
        await using var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
        var root = Path.GetFullPath(_directory);
        // Walked without following a single link (lstat only): a link to a directory is sent as the link, never as
        // what it points to, so nothing outside the release tree can reach the engine.
        foreach (var item in FileTree.Walk(root))
        {
            if (item.Kind == TreeEntryKind.Other)
            {
                throw new InvalidOperationException($"'{item.RelativePath}' in the build context is a socket, FIFO or device; a release holds only files, directories and symlinks.");
            }

            var isLink = item.Kind == TreeEntryKind.Symlink;
            var isDirectory = item.Kind == TreeEntryKind.Directory;
            var info = new FileInfo(item.FullPath);
            var entry = new PaxTarEntry(isLink ? TarEntryType.SymbolicLink : isDirectory ? TarEntryType.Directory : TarEntryType.RegularFile,
                isDirectory ? item.RelativePath + "/" : item.RelativePath)
            {
                Mode = isLink ? (UnixFileMode)0b111_111_111 : ImageMode(File.GetUnixFileMode(item.FullPath), isDirectory),
                ModificationTime = info.LastWriteTimeUtc,
                Uid = 0,
                Gid = 0,
            };
            if (isLink)
            {
                entry.LinkName = info.LinkTarget!;
                await writer.WriteEntryAsync(entry, cancellationToken);
            }
            else if (isDirectory)
            {
                await writer.WriteEntryAsync(entry, cancellationToken);
            }
            else
            {
                await using var data = new FileStream(item.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
                entry.DataStream = data;
                await writer.WriteEntryAsync(entry, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The home keeps release trees private to Slipway's user (0600/0700); inside the image they belong to root and the
    /// app may run as another user, so everyone may read them (and run what the owner may run), nobody else may write.
    /// </summary>
    private static UnixFileMode ImageMode(UnixFileMode mode, bool isDirectory)
    {
        var result = mode | UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        if (isDirectory || mode.HasFlag(UnixFileMode.UserExecute))
        {
            result |= UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        }

        return result & ~(UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
