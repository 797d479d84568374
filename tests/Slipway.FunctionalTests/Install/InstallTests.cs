using Slipway.ControlPlane.Store;
using Slipway.FunctionalTests.Cli;
using Slipway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace Slipway.FunctionalTests.Install;

/// <summary>
/// <c>slipway install</c> and <c>uninstall</c> of the release binary into a temporary root (<c>--root DIR</c>):
/// what a host gets, that systemd accepts the unit, that a second run changes nothing.
/// </summary>
[Collection(ReleaseCollection.Name)]
public sealed class InstallTests(ReleaseArtifacts release, ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Listeners = ["--http", "127.0.0.1:18080", "--admin", "127.0.0.1:17070", "--ports", "21000-21099"];

    private readonly string _root = Directory.CreateTempSubdirectory("slipway-root-").FullName;

    [Fact]
    public async Task Install_DryRun_PrintsEveryStepAndChangesNothing()
    {
        var run = await SlipwayAsync(["install", "--root", _root, "--dry-run", .. Listeners]);
        output.WriteLine(run.Stdout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("dry run: nothing is changed", run.Stdout, StringComparison.Ordinal);
        foreach (var step in new[] { "system user slipway", "home /var/lib/slipway, mode 0700", "binary /usr/local/bin/slipway",
            "host config /etc/slipway/slipway.env (admin URL http://127.0.0.1:17070", "admin token", "unit /etc/systemd/system/slipway.service", "enabled at boot" })
        {
            Assert.Contains($"would do   {step}", run.Stdout, StringComparison.Ordinal);
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [SkippableFact]
    public async Task Install_IntoRoot_UnitVerifies_SecondRunChangesNothing_UninstallKeepsTheHomeUnlessPurge()
    {
        SystemdRequirement.Require();

        var first = await SlipwayAsync(["install", "--root", _root, .. Listeners]);
        output.WriteLine(first.Stdout);
        Assert.True(first.ExitCode == 0, first.ToString());

        var user = File.ReadLines(At("/etc/passwd")).Select(l => l.Split(':')).Single(f => f[0] == "slipway");
        Assert.Equal("/var/lib/slipway", user[5]);
        var home = At("/var/lib/slipway");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(home));
        Assert.Equal(user[2], (await ReleaseArtifacts.RunAsync("stat", ["-c", "%u", home], _root, null, TimeSpan.FromSeconds(10))).Stdout.Trim());
        Assert.Equal(await File.ReadAllBytesAsync(release.Binary), await File.ReadAllBytesAsync(At("/usr/local/bin/slipway")));
        var config = HostConfigValues();
        Assert.Equal("http://127.0.0.1:17070", config["SLIPWAY_URL"]);
        Assert.Equal("/var/lib/slipway", config["SLIPWAY_HOME"]);

        // The token is shown once, is the one in the home, and the store already knows it.
        var token = (await File.ReadAllTextAsync(Path.Combine(home, "admin.token"))).Trim();
        Assert.Single(first.Stdout.Split('\n'), l => l.Contains(token, StringComparison.Ordinal));
        using (var store = SlipwayStore.Open(SlipwayStore.PathIn(home)))
        {
            Assert.NotNull(store.FindActiveToken(token));
        }

        var unit = await File.ReadAllTextAsync(At("/etc/systemd/system/slipway.service"));
        foreach (var line in new[] { "Type=notify", "NotifyAccess=main", "KillMode=process", "Restart=on-failure",
            "ExecStop=/bin/sh -c '[ -n \"$$1\" ] && kill -TERM \"$$1\" 2>/dev/null || exit 0; while kill -0 \"$$1\" 2>/dev/null; do sleep 0.2; done' slipway-stop $MAINPID", "User=slipway", "UMask=0077",
            "ExecStart=/usr/local/bin/slipway up --home /var/lib/slipway --http 127.0.0.1:18080 --admin 127.0.0.1:17070 --ports 21000-21099" })
        {
            Assert.Contains(line + "\n", unit, StringComparison.Ordinal);
        }

        Assert.NotNull(new FileInfo(At("/etc/systemd/system/multi-user.target.wants/slipway.service")).LinkTarget);
        await VerifyUnitAsync();

        var stamps = Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        var second = await SlipwayAsync(["install", "--root", _root, .. Listeners]);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.DoesNotContain("done ", second.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(token, second.Stdout, StringComparison.Ordinal);
        Assert.Equal(stamps, Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc));

        var uninstall = await SlipwayAsync(["uninstall", "--root", _root]);
        output.WriteLine(uninstall.Stdout);
        Assert.True(uninstall.ExitCode == 0, uninstall.ToString());
        foreach (var gone in new[] { "/etc/systemd/system/slipway.service", "/etc/systemd/system/multi-user.target.wants/slipway.service", "/usr/local/bin/slipway", "/etc/slipway/slipway.env" })
        {
            Assert.False(Path.Exists(At(gone)) || new FileInfo(At(gone)).LinkTarget is not null, $"{gone} is still there");
        }

        Assert.True(File.Exists(Path.Combine(home, "admin.token")), "uninstall without --purge removed the home");
        var purge = await SlipwayAsync(["uninstall", "--root", _root, "--purge"]);
        Assert.True(purge.ExitCode == 0, purge.ToString());
        Assert.False(Directory.Exists(home));
        Assert.DoesNotContain(File.ReadLines(At("/etc/passwd")), l => l.StartsWith("slipway:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Install_BadListener_SaysWhichFlagAndChangesNothing()
    {
        var run = await SlipwayAsync(["install", "--root", _root, "--http", "nowhere"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'nowhere' is not a listen address", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>
    /// systemd-analyze against the root, with systemd's own units in it as on a host (it resolves sysinit.target and the
    /// like) and /bin/sh (it checks that every Exec program exists, and ExecStop= runs one).
    /// </summary>
    private async Task VerifyUnitAsync()
    {
        Directory.CreateDirectory(At("/bin"));
        File.Copy("/bin/sh", At("/bin/sh"));
        File.SetUnixFileMode(At("/bin/sh"), File.GetUnixFileMode("/bin/sh") | UnixFileMode.UserExecute);

        var units = At("/usr/lib/systemd/system");
        Directory.CreateDirectory(units);
        foreach (var file in Directory.EnumerateFiles(Directory.Exists("/usr/lib/systemd/system") ? "/usr/lib/systemd/system" : "/lib/systemd/system"))
        {
            if (!File.GetAttributes(file).HasFlag(FileAttributes.ReparsePoint))
            {
                File.Copy(file, Path.Combine(units, Path.GetFileName(file)));
            }
        }

        var verify = await ReleaseArtifacts.RunAsync("systemd-analyze", ["verify", $"--root={_root}", "/etc/systemd/system/slipway.service"], _root, null, TimeSpan.FromSeconds(60));
        // Unknown or malformed settings are only warnings (exit 0): a clean unit prints nothing at all.
        Assert.True(verify.ExitCode == 0 && verify.Stdout.Trim().Length == 0 && verify.Stderr.Trim().Length == 0, verify.ToString());
    }

    private Dictionary<string, string> HostConfigValues() =>
        File.ReadLines(At("/etc/slipway/slipway.env")).Where(l => l.Contains('=') && !l.StartsWith('#')).ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);

    private string At(string hostPath) => Path.Join(_root, hostPath);

    private Task<CliRun> SlipwayAsync(string[] arguments) =>
        ReleaseArtifacts.RunAsync(release.Binary, arguments, _root, null, TimeSpan.FromMinutes(2));
}
