using System.Formats.Tar;
using System.Net;

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
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(root, path).Replace('\\', '/');
            var info = new FileInfo(path);
            var isLink = info.LinkTarget is not null;
            var isDirectory = !isLink && Directory.Exists(path);
            var entry = new PaxTarEntry(isLink ? TarEntryType.SymbolicLink : isDirectory ? TarEntryType.Directory : TarEntryType.RegularFile,
                isDirectory ? name + "/" : name)
            {
                Mode = isLink ? (UnixFileMode)0b111_111_111 : File.GetUnixFileMode(path),
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
                await using var data = File.OpenRead(path);
                entry.DataStream = data;
                await writer.WriteEntryAsync(entry, cancellationToken);
            }
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
