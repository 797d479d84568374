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
