using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Tests.Pipeline;

public sealed class DeployFailedExceptionTests
{
    [Fact]
    public void Constructor_KeepsPhaseSummaryAndExitCode()
    {
        var ex = new DeployFailedException(DeploymentPhase.Build, "step 'publish' exited with code 1", 1);

        Assert.Equal(DeploymentPhase.Build, ex.Phase);
        Assert.Equal("step 'publish' exited with code 1", ex.Summary);
        Assert.Equal(1, ex.ExitCode);
        Assert.Contains("build failed", ex.Message);
    }

    [Fact]
    public void WithLastLines_Lines_AreIndentedBelowTheHeadline()
    {
        var summary = DeployFailedException.WithLastLines("step 'publish' exited with code 1", ["a", "b"]);

        Assert.Equal("step 'publish' exited with code 1:\n  a\n  b", summary);
    }

    [Fact]
    public void WithLastLines_NoOutput_SaysSo()
    {
        var summary = DeployFailedException.WithLastLines("step 'x' timed out after 1s", []);

        Assert.Equal("step 'x' timed out after 1s (no output)", summary);
    }
}
