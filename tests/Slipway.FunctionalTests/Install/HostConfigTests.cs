using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Install;

/// <summary>On an installed host the CLI finds the admin API and the token through the host config, with no flags or environment.</summary>
public sealed class HostConfigTests
{
    [Fact]
    public async Task Cli_WithOnlyTheHostConfig_FindsTheAdminApiAndToken()
    {
        await using var slipway = await SlipwayProcess.UpAsync();
        var config = Path.Combine(slipway.Home, "host.env");
        await File.WriteAllTextAsync(config, $"# as slipway install writes it\nSLIPWAY_HOME={slipway.Home}\nSLIPWAY_URL={slipway.AdminUrl.ToString().TrimEnd('/')}\n");
        var bare = new Dictionary<string, string?> { ["SLIPWAY_URL"] = null, ["SLIPWAY_HOME"] = null, ["SLIPWAY_TOKEN"] = null, ["SLIPWAY_CONFIG"] = config };
        var elsewhere = Directory.CreateTempSubdirectory("slipway-cwd-").FullName;
        try
        {
            var status = await ReleaseArtifacts.RunAsync("dotnet", [RepoPaths.SlipwayDll, "tokens", "list"], elsewhere, bare, TimeSpan.FromMinutes(2));
            Assert.True(status.ExitCode == 0, status.ToString());
            Assert.Contains("local-admin", status.Stdout, StringComparison.Ordinal);

            // Without it the same command has nothing to go on: the default URL and ./.slipway.
            bare["SLIPWAY_CONFIG"] = Path.Combine(elsewhere, "none.env");
            var without = await ReleaseArtifacts.RunAsync("dotnet", [RepoPaths.SlipwayDll, "tokens", "list"], elsewhere, bare, TimeSpan.FromMinutes(2));
            Assert.NotEqual(0, without.ExitCode);
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }
}
