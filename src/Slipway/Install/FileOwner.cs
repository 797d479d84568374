using System.Runtime.InteropServices;

namespace Slipway.Install;

/// <summary>File ownership and the effective user, which .NET has no API for.</summary>
internal static class FileOwner
{
    public static bool IsRoot => GetEffectiveUserId() == 0;

    /// <summary>Owns <paramref name="path"/> and everything under it (symbolic links themselves, not their targets).</summary>
    public static void ChangeTree(string path, int uid, int gid)
    {
        Change(path, uid, gid);
        if (Directory.Exists(path) && !File.GetAttributes(path).HasFlag(FileAttributes.ReparsePoint))
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            {
                Change(entry, uid, gid);
            }
        }
    }

    public static void Change(string path, int uid, int gid)
    {
        if (LChown(path, uid, gid) != 0)
        {
            throw new IOException($"Cannot change the owner of {path} to {uid}:{gid}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    /// <summary>The owner of <paramref name="path"/> itself (a symbolic link is not followed).</summary>
    public static (int Uid, int Gid) Of(string path)
    {
        var buffer = new byte[256];
        if (LStat(path, buffer) != 0)
        {
            throw new IOException($"Cannot stat {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        // struct stat: x86_64 has st_dev, st_ino, st_nlink (8 bytes each), st_mode, st_uid, st_gid; the generic layout
        // of aarch64 has st_dev, st_ino (8 each), st_mode, st_nlink, st_uid, st_gid (4 each).
        return RuntimeInformation.ProcessArchitecture == Architecture.X64
            ? (BitConverter.ToInt32(buffer, 28), BitConverter.ToInt32(buffer, 32))
            : (BitConverter.ToInt32(buffer, 24), BitConverter.ToInt32(buffer, 28));
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();

    [DllImport("libc", EntryPoint = "lchown", SetLastError = true)]
    private static extern int LChown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int uid, int gid);

    [DllImport("libc", EntryPoint = "lstat", SetLastError = true)]
    private static extern int LStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);
}
