using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.ControlPlane;

/// <summary>
/// <c>slipway self-deploy --binary FILE</c> refuses what is not a release binary, through the real CLI and server, naming
/// the file and what to do, before anything is written: no deployment, no spec of the app <c>slipway</c>. (The binary
/// deployed for real, under systemd, is in <c>Install/Systemd/under-systemd.sh</c>.)
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class SelfDeployBinaryInputTests(SlipwayFixture fixture) : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("slipway-binary-input-").FullName;

    [Fact]
    public async Task SelfDeploy_BinaryThatIsNotOne_RefusedNamingTheFileAndNothingRecorded()
    {
        var text = Path.Combine(_scratch, "notes.txt");
        await File.WriteAllTextAsync(text, "not a program\n");
        var unexecutable = Path.Combine(_scratch, "slipway-copy");
        File.Copy("/bin/true", unexecutable);
        File.SetUnixFileMode(unexecutable, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        foreach (var (file, says) in new[]
        {
            (text, "is not an executable binary (no ELF header)"),
            (_scratch, "is a directory; give the release binary itself"),
            (Path.Combine(_scratch, "missing"), "does not exist on the server's machine"),
            (unexecutable, "is not executable; chmod +x it first"),
        })
        {
            var run = await fixture.Slipway.CliAsync("self-deploy", "--binary", file);
            Assert.True(run.ExitCode != 0, $"--binary {file}: exit 0\n{run.Stdout}");
            Assert.Contains($"binary: '{file}' {says}", run.Stdout + run.Stderr, StringComparison.Ordinal);
        }

        var both = await fixture.Slipway.CliAsync("self-deploy", "--binary", "/bin/true", "--rev", "main");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("give one of them", both.Stdout + both.Stderr, StringComparison.Ordinal);

        Assert.Empty(StoreReader.Query(fixture.Slipway.Home, "SELECT id FROM deployments WHERE app = 'slipway'", r => r.GetString(0)));
        Assert.Empty(StoreReader.Query(fixture.Slipway.Home, "SELECT name FROM apps WHERE name = 'slipway'", r => r.GetString(0)));
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);
}
