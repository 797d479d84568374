using Slipway.FunctionalTests.Cli;

namespace Slipway.FunctionalTests.EdgeUpgrade;

/// <summary><c>slipway edge upgrade</c> refusing early, before any edge is touched.</summary>
public sealed class EdgeUpgradeCommandTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("slipway-upgrade-cli-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task EdgeUpgrade_NoEdgeRunning_ExitsUnreachableNamingTheSocket()
    {
        var run = await CliRun.RunAsync("edge", "upgrade", "--home", _home);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains(Path.Combine(_home, "edge.sock"), run.Stderr + run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Is `slipway up` or `slipway edge` running", run.Stderr + run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EdgeUpgrade_MissingBinary_ExitsUsage()
    {
        var run = await CliRun.RunAsync("edge", "upgrade", "--home", _home, "--binary", Path.Combine(_home, "no-such-slipway"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no such file", run.Stderr + run.Stdout, StringComparison.Ordinal);
    }
}
