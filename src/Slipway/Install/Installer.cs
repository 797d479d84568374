using Slipway.ControlPlane.Auth;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Persistence;

namespace Slipway.Install;

/// <summary>
/// What <c>slipway install</c> does, as steps in order (docs/install.md): the system user, the 0700 home, the
/// binary, the host config, the admin token, the unit, enabled at boot and, on a host where systemd runs, started.
/// </summary>
internal static class Installer
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Executable = Private | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static IReadOnlyList<InstallStep> Plan(HostLayout layout, string binarySource)
    {
        var home = layout.OnDisk(layout.Home);
        var binary = layout.OnDisk(layout.Binary);
        var config = layout.OnDisk(HostLayout.ConfigPath);
        var unit = layout.OnDisk(HostLayout.UnitPath);
        var token = AdminTokens.FilePath(home);
        var configText = HostConfig.Render(layout);
        var unitText = SystemdUnit.Render(layout);
        return
        [
            new($"system user {HostLayout.UserName} (systemd-sysusers)",
                () => Task.FromResult(SystemUser.Find(layout, HostLayout.UserName) is not null),
                async () => { await SystemUser.CreateAsync(layout); return null; }),
            new($"home {layout.Home}, mode 0700, owned by {HostLayout.UserName}",
                () => Task.FromResult(Directory.Exists(home) && File.GetUnixFileMode(home) == Private && SystemUser.Find(layout, HostLayout.UserName) is { } user && FileOwner.Of(home) == user),
                () =>
                {
                    Directory.CreateDirectory(home);
                    File.SetUnixFileMode(home, Private);
                    var (uid, gid) = User(layout);
                    FileOwner.Change(home, uid, gid);
                    return Task.FromResult<string?>(null);
                }),
            new($"binary {layout.Binary} (from {binarySource})",
                () => Task.FromResult(File.Exists(binary) && SameContent(binary, binarySource)),
                () => { Replace(binary, File.ReadAllBytes(binarySource), Executable); return Task.FromResult<string?>(null); }),
            new($"host config {HostLayout.ConfigPath} (admin URL {layout.AdminUrl}, home {layout.Home}; read by the unit and the CLI)",
                () => Task.FromResult(File.Exists(config) && File.ReadAllText(config) == configText),
                () => { Replace(config, System.Text.Encoding.UTF8.GetBytes(configText), Readable); return Task.FromResult<string?>(null); }),
            new($"admin token {Path.Combine(layout.Home, AdminTokens.FileName)} (0600; printed once, when created)",
                () => Task.FromResult(File.Exists(token) && File.ReadAllText(token).Trim().Length > 0),
                () => Task.FromResult<string?>(CreateToken(layout, home))),
            new($"unit {HostLayout.UnitPath}",
                () => Task.FromResult(File.Exists(unit) && File.ReadAllText(unit) == unitText),
                async () =>
                {
                    Replace(unit, System.Text.Encoding.UTF8.GetBytes(unitText), Readable);
                    if (Systemctl.IsLive(layout))
                    {
                        await Systemctl.RunAsync(layout, "daemon-reload");
                    }

                    return null;
                }),
            new($"enabled at boot ({HostLayout.WantedByPath})",
                () => Task.FromResult(File.Exists(layout.OnDisk(HostLayout.WantedByPath)) || Directory.Exists(layout.OnDisk(HostLayout.WantedByPath)) || IsLink(layout.OnDisk(HostLayout.WantedByPath))),
                async () => { await Systemctl.RunAsync(layout, "enable", HostLayout.UnitName); return null; }),
            new(Systemctl.IsLive(layout) ? "started (`systemctl start slipway` returns once the edge listens and the control plane answers)"
                    : "not started: systemd does not run this root; `systemctl start slipway` on the host, or boot it",
                async () => !Systemctl.IsLive(layout) || await Systemctl.IsActiveAsync(layout),
                async () => { await Systemctl.RunAsync(layout, "start", HostLayout.UnitName); return null; }),
        ];
    }

    public static (int Uid, int Gid) User(HostLayout layout) =>
        SystemUser.Find(layout, HostLayout.UserName) ?? throw new InstallException($"The system user {HostLayout.UserName} is missing from {layout.OnDisk("/etc/passwd")}.");

    /// <summary>A token the store knows, so the operator can use it before the first start; the home ends up owned by the user.</summary>
    private static string CreateToken(HostLayout layout, string home)
    {
        string secret;
        using (var store = SlipwayStore.Open(SlipwayStore.PathIn(home)))
        {
            secret = store.CreateToken("local-admin").Secret;
        }

        AtomicFile.WriteAllText(AdminTokens.FilePath(home), secret + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var (uid, gid) = User(layout);
        FileOwner.ChangeTree(home, uid, gid);
        return $"admin token (shown this once; root can read it again in {Path.Combine(layout.Home, AdminTokens.FileName)}): {secret}";
    }

    private static bool SameContent(string a, string b) =>
        new FileInfo(a).Length == new FileInfo(b).Length && File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    /// <summary>Written beside the target and renamed over it: a running binary is never written into.</summary>
    private static void Replace(string path, byte[] content, UnixFileMode mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllBytes(path, content, mode);
    }
}
