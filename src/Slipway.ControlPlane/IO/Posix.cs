using System.Runtime.InteropServices;

namespace Slipway.ControlPlane.IO;

/// <summary>
/// The few libc calls .NET does not expose: syncfs (a whole release tree durable at once) and signals
/// to a whole process group (so a build step's background children die with it).
/// </summary>
internal static class Posix
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    // Linux values; Slipway runs on Linux only.
    private const int ORdOnly = 0;
    private const int ODirectory = 0x10000;
    private const int OCloExec = 0x80000;

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static extern int SyncFs(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);

    [DllImport("libc", EntryPoint = "lstat", SetLastError = true)]
    private static extern int Lstat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>
    /// Flushes everything written to the file system holding <paramref name="path"/>: one call instead of an
    /// fsync per file when a whole tree must be durable before it is published.
    /// </summary>
    public static void SyncFileSystem(string path) => WithDirectory(path, SyncFs, "sync the file system of");

    private static void WithDirectory(string path, Func<int, int> call, string what)
    {
        var fd = Open(path, ORdOnly | ODirectory | OCloExec);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{path}' (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (call(fd) != 0)
            {
                throw new IOException($"Cannot {what} '{path}' (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// The file type bits (<c>st_mode &amp; S_IFMT</c>) of <paramref name="path"/> itself, not following a
    /// symlink; null when nothing is there. .NET cannot tell a FIFO from a regular file, and copying a FIFO
    /// would block forever.
    /// </summary>
    public static int? FileTypeOf(string path)
    {
        // struct stat is at most 144 bytes on 64-bit Linux; st_mode sits after st_dev, st_ino (and st_nlink on x64).
        var buffer = new byte[256];
        if (Lstat(path, buffer) != 0)
        {
            return null;
        }

        var modeOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
        return BitConverter.ToInt32(buffer, modeOffset) & FileTypeMask;
    }

    public const int FileTypeMask = 0xF000;
    public const int FileTypeRegular = 0x8000;
    public const int FileTypeDirectory = 0x4000;
    public const int FileTypeSymlink = 0xA000;

    /// <summary>Sends <paramref name="signal"/> to every process in group <paramref name="pgid"/>.</summary>
    /// <returns>False when the group no longer has any member.</returns>
    public static bool SignalGroup(int pgid, int signal)
    {
        if (pgid <= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(pgid), pgid, "Refusing to signal a system process group.");
        }

        return Kill(-pgid, signal) == 0;
    }

    /// <summary>True while any process (zombies included) is still in group <paramref name="pgid"/>.</summary>
    public static bool GroupExists(int pgid) => pgid > 1 && Kill(-pgid, 0) == 0;

    /// <summary>Sends <paramref name="signal"/> to one process; false when it does not exist.</summary>
    public static bool SignalProcess(int pid, int signal) => pid > 1 && Kill(pid, signal) == 0;

    /// <summary>True while a process with this pid exists (zombies included).</summary>
    public static bool ProcessExists(int pid) => pid > 1 && Kill(pid, 0) == 0;
}
