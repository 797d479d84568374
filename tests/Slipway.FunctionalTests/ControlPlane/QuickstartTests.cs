using System.Net;
using Slipway.Edge.Supervision;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.ControlPlane;

/// <summary>The first thing a new user runs: <c>slipway quickstart</c> from a clone brings up Slipway and the example app.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class QuickstartTests
{
    // A cold `dotnet publish` of examples/hello on a busy machine.
    private static readonly TimeSpan Live = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan Stop = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Quickstart_FromRepositoryRoot_ServesHelloThenStopsItOnSigterm()
    {
        await using var quickstart = await SlipwayProcess.StartAsync("quickstart", RepoPaths.Root, waitForReady: false);

        await quickstart.WaitForOutputAsync("hello is live", Live);

        var (status, body) = await quickstart.EdgeGetAsync("hello.localhost", "/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("Hello from Slipway", body, StringComparison.Ordinal);
        var hello = Assert.Single(quickstart.SupervisedProcesses(), p => p.Key.StartsWith("hello-", StringComparison.Ordinal)).Value;

        var exitCode = await quickstart.StopAsync(Stop);

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{quickstart.Output}");
        Assert.Contains("stopping the example", quickstart.Output);
        await Poll.UntilAsync(() => !ProcessSignals.GroupExists(hello), Stop, $"the hello process (group {hello}) to be gone");
    }
}
