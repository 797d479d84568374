using Slipway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace Slipway.FunctionalTests.Install;

/// <summary>
/// The installed service under a real systemd: <c>Systemd/under-systemd.sh</c> boots systemd as PID 1 of its own pid,
/// mount and cgroup namespaces (the machine's /etc, /usr/local and /var/lib overlaid), installs the release binary,
/// and checks readiness, the CLI without flags, a deploy under the hardened unit, MAINPID after an edge upgrade under
/// load, stop/start with the app kept, Restart=on-failure and uninstall.
/// </summary>
[Collection(ReleaseCollection.Name)]
public sealed class SystemdServiceTests(ReleaseArtifacts release, ITestOutputHelper output)
{
    [SkippableFact]
    public async Task InstalledService_UnderRealSystemd_TracksTheNewEdgeAndKeepsAppsAcrossStops()
    {
        SystemdRequirement.Require();
        SystemdRequirement.RequireBootable();
        var script = Path.Combine(RepoPaths.Root, "tests", "Slipway.FunctionalTests", "Install", "Systemd", "under-systemd.sh");

        var run = await ReleaseArtifacts.RunAsync("bash", [script, release.Binary, FreePort.Next().ToString(), FreePort.Next().ToString(), FreePort.NextAppRange()],
            RepoPaths.Root, null, TimeSpan.FromMinutes(8));

        output.WriteLine(run.Stdout);
        output.WriteLine(run.Stderr);
        Assert.True(run.ExitCode == 0 && run.Stdout.Contains("all checks passed", StringComparison.Ordinal), run.ToString());
    }
}
