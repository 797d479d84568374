using System.Net;
using System.Text.Json;
using Slipway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace Slipway.FunctionalTests.Install;

/// <summary>The artifacts of <c>build/release.sh</c>, used as a person without the .NET SDK would use them.</summary>
[Collection(ReleaseCollection.Name)]
public sealed class ReleaseBinaryTests(ReleaseArtifacts release, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Live = TimeSpan.FromSeconds(120);

    private readonly string _scratch = Directory.CreateTempSubdirectory("slipway-nosdk-").FullName;

    [Fact]
    public async Task Quickstart_ReleaseBinaryWithoutDotnetOnPath_DeploysTheBuiltInExample()
    {
        var path = PathWithoutDotnet();
        await using var quickstart = await SlipwayProcess.StartAsync("quickstart", _scratch, waitForReady: false,
            environment: new Dictionary<string, string> { ["PATH"] = path, ["HOME"] = _scratch }, executable: release.Binary);

        await quickstart.WaitForOutputAsync("hello is live", Live);

        Assert.Contains("no `dotnet` on PATH", quickstart.Output, StringComparison.Ordinal);
        var (status, body) = await quickstart.EdgeGetAsync("hello.localhost", "/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("Hello from Slipway", body, StringComparison.Ordinal);
        // The control plane of a release binary serves the release it was stamped with.
        using var admin = new HttpClient { BaseAddress = quickstart.AdminUrl };
        using var manifest = JsonDocument.Parse(await admin.GetStringAsync("/version"));
        Assert.Equal(release.Version, manifest.RootElement.GetProperty("version").GetString());
        Assert.Contains($"digest {manifest.RootElement.GetProperty("digest").GetString()}", release.BuildOutput, StringComparison.Ordinal);
        Assert.Contains($"revision {manifest.RootElement.GetProperty("revision").GetString()}", release.BuildOutput, StringComparison.Ordinal);
        output.WriteLine(quickstart.Output);

        Assert.Equal(0, await quickstart.StopAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task ReleaseBinary_Version_CarriesTheStampedVersionAndRevision()
    {
        var run = await ReleaseArtifacts.RunAsync(release.Binary, ["version", "--json", "--url", "http://127.0.0.1:1"], _scratch,
            new Dictionary<string, string?> { ["PATH"] = PathWithoutDotnet() }, TimeSpan.FromSeconds(60));

        using var json = JsonDocument.Parse(run.Stdout);
        var cli = json.RootElement.GetProperty("cli").GetString()!;
        Assert.StartsWith(release.Version + "+", cli, StringComparison.Ordinal);
        Assert.Contains($"revision {cli.Split('+')[1].Split('.')[0]}", release.BuildOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolPackage_InstalledFromALocalFeed_RunsAsSlipway()
    {
        var tools = Path.Combine(_scratch, "tools");
        var install = await ReleaseArtifacts.RunAsync("dotnet",
            ["tool", "install", "slipway", "--tool-path", tools, "--add-source", release.Directory, "--version", release.Version, "--ignore-failed-sources"],
            _scratch, null, TimeSpan.FromMinutes(5));
        Assert.True(install.ExitCode == 0, install.ToString());

        var run = await ReleaseArtifacts.RunAsync(Path.Combine(tools, "slipway"), ["version", "--json", "--url", "http://127.0.0.1:1"], _scratch, null, TimeSpan.FromSeconds(60));

        using var json = JsonDocument.Parse(run.Stdout);
        Assert.StartsWith(release.Version + "+", json.RootElement.GetProperty("cli").GetString(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    /// <summary>A PATH with everything of /usr/bin and /bin but dotnet, as on a host without the SDK.</summary>
    private string PathWithoutDotnet()
    {
        var bin = Path.Combine(_scratch, "bin");
        if (!Directory.Exists(bin))
        {
            Directory.CreateDirectory(bin);
            foreach (var file in new[] { "/usr/bin", "/bin" }.Where(Directory.Exists).SelectMany(Directory.EnumerateFileSystemEntries))
            {
                var link = Path.Combine(bin, Path.GetFileName(file));
                if (Path.GetFileName(file) != "dotnet" && !Path.Exists(link))
                {
                    File.CreateSymbolicLink(link, file);
                }
            }
        }

        return bin;
    }
}
