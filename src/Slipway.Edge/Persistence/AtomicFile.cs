using System.Runtime.InteropServices;
using System.Text;

namespace Slipway.Edge.Persistence;

/// <summary>
/// Replaces a file so that a crash at any moment leaves either the old or the new content, never a mix:
/// temp file → fsync → rename → fsync of the directory (which makes the rename itself durable).
/// A <c>mode</c> is applied when the temp file is created, so a secret is never readable by others, not even
/// for a moment. Shared by the edge (state file) and the control plane (manifests, token file).
/// </summary>
public static partial class AtomicFile
{
    private const int ORdOnly = 0;
    private const int ODirectory = 0x10000;
    private const int OCloexec = 0x80000;

    public static void WriteAllText(string path, string contents, UnixFileMode? mode = null) =>
        WriteAllBytes(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(contents), mode);

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content, UnixFileMode? mode = null)
    {
        var (fullPath, directory, temp) = Prepare(path);
        try
        {
            using (var stream = new FileStream(temp, Options(mode, useAsync: false)))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        SyncDirectory(directory);
    }

    public static async Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken, UnixFileMode? mode = null)
    {
        var (fullPath, directory, temp) = Prepare(path);
        try
        {
            await using (var stream = new FileStream(temp, Options(mode, useAsync: true)))
            {
                await stream.WriteAsync(content, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        SyncDirectory(directory);
    }

    private static (string FullPath, string Directory, string Temp) Prepare(string path)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException($"'{path}' has no parent directory.", nameof(path));
        Directory.CreateDirectory(directory);
        return (fullPath, directory, Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp"));
    }

    private static FileStreamOptions Options(UnixFileMode? mode, bool useAsync)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = useAsync ? FileOptions.Asynchronous : FileOptions.None,
        };
        if (mode is { } unixMode)
        {
            options.UnixCreateMode = unixMode;
        }

        return options;
    }

    /// <summary>fsync of a directory: makes the names created or renamed in it durable.</summary>
    public static void SyncDirectory(string directory)
    {
        var fd = Open(directory, ORdOnly | ODirectory | OCloexec);
        if (fd < 0)
        {
            throw new IOException($"Could not open directory {directory} to make a rename durable (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
