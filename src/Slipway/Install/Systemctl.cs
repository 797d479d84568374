namespace Slipway.Install;

/// <summary>systemctl for the running host, or offline against <c>--root</c> (enable/disable only).</summary>
internal static class Systemctl
{
    /// <summary>True when systemd is the running service manager here (sd_booted(3)) and the layout is this host.</summary>
    public static bool IsLive(HostLayout layout) => layout.IsHostRoot && Directory.Exists("/run/systemd/system");

    public static Task RunAsync(HostLayout layout, params string[] arguments) =>
        HostCommand.RunAsync("systemctl", layout.IsHostRoot ? arguments : [$"--root={Path.GetFullPath(layout.Root)}", .. arguments]);

    public static async Task<bool> IsActiveAsync(HostLayout layout) =>
        IsLive(layout) && (await HostCommand.TryRunAsync("systemctl", ["is-active", "--quiet", HostLayout.UnitName])).ExitCode == 0;
}
