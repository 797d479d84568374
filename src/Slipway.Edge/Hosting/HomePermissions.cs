using System.Runtime.InteropServices;

namespace Slipway.Edge.Hosting;

/// <summary>
/// The Slipway home holds the store (tokens' hashes, sealed secrets), the master key, the state file, logs,
/// release trees and git mirrors (whose config can carry credentials in a URL): no other local user may read
/// any of it. Everything Slipway creates from here on is private (umask 077), and a home made by an older version
/// (0755 directories, 0644 files) is repaired at start-up: group and other lose every bit, the owner keeps its
/// own, so apps (run as the same user) still read and run their releases.
/// </summary>
public static class HomePermissions
{
    private const UnixFileMode GroupAndOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint Umask(uint mask);

    /// <summary>Makes new files of this process (and of the children it starts) private to its user.</summary>
    public static void UsePrivateUmask() => _ = Umask(0b000_111_111);

    /// <summary>
    /// Creates <paramref name="home"/> 0700 when missing, removes group and other bits from it and from everything
    /// below it (never following a link), and returns how many entries it had to change.
    /// </summary>
    public static int Secure(string home)
    {
        UsePrivateUmask();
        Directory.CreateDirectory(home);
        var changed = Repair(home) ? 1 : 0;
        var pending = new Stack<string>();
        pending.Push(home);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            IEnumerable<FileSystemInfo> children;
            try
            {
                children = new DirectoryInfo(directory).EnumerateFileSystemInfos().ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Something removed it meanwhile, or it belongs to another user (a container's volume): not ours to repair.
                continue;
            }

            foreach (var child in children)
            {
                if (child.LinkTarget is not null)
                {
                    continue;
                }

                changed += Repair(child.FullName) ? 1 : 0;
                if (child is DirectoryInfo)
                {
                    pending.Push(child.FullName);
                }
            }
        }

        return changed;
    }

    private static bool Repair(string path)
    {
        try
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupAndOther) == 0)
            {
                return false;
            }

            File.SetUnixFileMode(path, mode & ~GroupAndOther);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
