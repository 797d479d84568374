namespace Slipway.Install;

/// <summary>What <c>slipway uninstall</c> does: stop (apps too), disable, remove the unit, binary and config; with purge, the home and the user.</summary>
internal static class Uninstaller
{
    public static IReadOnlyList<InstallStep> Plan(HostLayout layout, bool purge)
    {
        var home = layout.OnDisk(layout.Home);
        var steps = new List<InstallStep>
        {
            new("stopped, with every process in its cgroup (the apps and the control plane outlive a plain stop)",
                async () => !await Systemctl.IsActiveAsync(layout),
                async () =>
                {
                    await HostCommand.TryRunAsync("systemctl", ["kill", "--kill-whom=all", "--signal=SIGTERM", HostLayout.UnitName]);
                    await Systemctl.RunAsync(layout, "stop", HostLayout.UnitName);
                    return null;
                }),
            new("disabled at boot",
                () => Task.FromResult(!Exists(layout.OnDisk(HostLayout.WantedByPath))),
                async () => { await Systemctl.RunAsync(layout, "disable", HostLayout.UnitName); return null; }),
            Remove(layout, HostLayout.UnitPath, $"unit {HostLayout.UnitPath}"),
            Remove(layout, layout.Binary, $"binary {layout.Binary}"),
            Remove(layout, HostLayout.ConfigPath, $"host config {HostLayout.ConfigPath}"),
        };
        if (purge)
        {
            steps.Add(new($"home {layout.Home} (store, releases, logs, token) removed",
                () => Task.FromResult(!Directory.Exists(home)),
                () => { Directory.Delete(home, recursive: true); return Task.FromResult<string?>(null); }));
            steps.Add(new($"system user {HostLayout.UserName} removed",
                () => Task.FromResult(SystemUser.Find(layout, HostLayout.UserName) is null),
                async () => { await SystemUser.RemoveAsync(layout); return null; }));
        }

        return steps;
    }

    private static InstallStep Remove(HostLayout layout, string hostPath, string what) => new($"{what} removed",
        () => Task.FromResult(!Exists(layout.OnDisk(hostPath))),
        async () =>
        {
            File.Delete(layout.OnDisk(hostPath));
            var directory = Path.GetDirectoryName(layout.OnDisk(hostPath))!;
            if (hostPath == HostLayout.ConfigPath && Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory);
            }

            if (hostPath == HostLayout.UnitPath && Systemctl.IsLive(layout))
            {
                await Systemctl.RunAsync(layout, "daemon-reload");
            }

            return null;
        });

    private static bool Exists(string path) => File.Exists(path) || new FileInfo(path).LinkTarget is not null;
}
