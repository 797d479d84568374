namespace Slipway.ControlPlane.IO;

/// <summary>
/// File mode access in one place: Slipway runs on Linux only, and the guard here keeps that assumption out of
/// every caller.
/// </summary>
internal static class UnixPermissions
{
    public const UnixFileMode WriteBits = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    public const UnixFileMode ExecuteBits =
        UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public const UnixFileMode GroupAndOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// <paramref name="mode"/> for a file under the Slipway home: the owner's bits only, since nothing there is for
    /// other local users (apps run as Slipway's user).
    /// </summary>
    public static UnixFileMode Private(UnixFileMode mode) => mode & ~GroupAndOther;

    public static UnixFileMode Get(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Slipway needs a Unix file system.");
        }

        return File.GetUnixFileMode(path);
    }

    public static void Set(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Slipway needs a Unix file system.");
        }

        File.SetUnixFileMode(path, mode);
    }
}
