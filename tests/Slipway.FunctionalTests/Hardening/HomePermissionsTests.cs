using System.Diagnostics;
using System.Net;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Hardening;

/// <summary>
/// The home holds the store, the state file, logs, release trees and git mirrors: another local user must read
/// none of it, in a new home and in one an older version left world-readable (repaired at start-up).
/// </summary>
public sealed class HomePermissionsTests
{
    private const UnixFileMode GroupAndOther = (UnixFileMode)0b000_111_111;

    [Fact]
    public async Task Up_NewAndWorldReadableHome_EverythingIsPrivateAndAnotherUserReadsNothing()
    {
        var slipway = await SlipwayProcess.UpAsync();
        try
        {
            using var sources = new AppSources();
            var spec = new TestAppSpec { App = "private" };
            await slipway.Admin.RegisterAsync(spec.App, spec.ToYaml());
            // content.txt is written 0644 by this test: the release copy must not keep group and other bits.
            await slipway.Admin.DeploySucceededAsync(spec.App, sources.Version(spec, "private v1"));

            AssertPrivate(slipway.Home);
            await AssertUnreadableByAnotherUserAsync(Path.Combine(slipway.Home, "edge", "state.json"));

            // As an older version left it: directories 0755, files 0644.
            foreach (var path in Entries(slipway.Home).Prepend(slipway.Home))
            {
                File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.GroupRead | UnixFileMode.OtherRead
                    | (Directory.Exists(path) ? UnixFileMode.GroupExecute | UnixFileMode.OtherExecute : 0));
            }

            slipway = await slipway.RestartAsync();

            Assert.Contains("was readable by other local users", slipway.Output);
            AssertPrivate(slipway.Home);
            await AssertUnreadableByAnotherUserAsync(Path.Combine(slipway.Home, "edge", "state.json"));
            // The app (run as Slipway's user) still reads its release.
            var (status, body) = await slipway.EdgeGetAsync(spec.Host, "/");
            Assert.True(status == HttpStatusCode.OK, $"{(int)status} {body}");
            Assert.StartsWith("private v1", body);
        }
        finally
        {
            await slipway.DisposeAsync();
        }
    }

    private static void AssertPrivate(string home)
    {
        var open = Entries(home).Prepend(home)
            .Where(p => (File.GetUnixFileMode(p) & GroupAndOther) != 0)
            .Select(p => $"{Path.GetRelativePath(home, p)} ({Convert.ToString((int)File.GetUnixFileMode(p), 8)})")
            .ToList();
        Assert.True(open.Count == 0, "readable by others: " + string.Join(", ", open));
    }

    private static IEnumerable<string> Entries(string root) =>
        new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true })
            .Where(i => i.LinkTarget is null)
            .Select(i => i.FullName);

    private static async Task AssertUnreadableByAnotherUserAsync(string path)
    {
        Assert.True(File.Exists(path), $"{path} does not exist");
        if (Environment.UserName != "root")
        {
            return; // Only root can become another user here; the modes above are checked either way.
        }

        var start = new ProcessStartInfo("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "cat", path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode != 0 && output.Length == 0, $"user nobody read {path}: {output}");
    }
}
