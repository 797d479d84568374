using System.Net;
using System.Text;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.ControlPlane;

/// <summary><c>?wait=true</c> is what CI scripts use: one answer with the outcome and the end of the log.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class DeployWaitTests(SlipwayFixture fixture)
{
    private const int MaxTail = 8 * 1024;

    [Fact]
    public async Task DeployWait_BuildPrintsMoreThanTail_AnswersOutcomeWithLastEightKiB()
    {
        // 400 numbered lines of ~60 bytes: ~24 KiB of build output, the last line printed is "line 400".
        var spec = new TestAppSpec
        {
            App = "waits",
            Build = [("noisy", "i=1; while [ $i -le 400 ]; do echo \"line $i ..................................................\"; i=$((i+1)); done")],
        };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());

        var (status, outcome) = await fixture.Admin.DeployAndWaitAsync(spec.App, fixture.Sources.Version(spec, "waits v1"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("succeeded", outcome.Status);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Null(outcome.ErrorSummary);
        Assert.True(outcome.DurationMs > 0);
        var deployment = await fixture.Admin.GetDeploymentAsync(outcome.Id);
        Assert.Equal(deployment.DurationMs, outcome.DurationMs);

        Assert.True(Encoding.UTF8.GetByteCount(outcome.LogTail) <= MaxTail, $"{Encoding.UTF8.GetByteCount(outcome.LogTail)} bytes");
        Assert.True(Encoding.UTF8.GetByteCount(outcome.LogTail) > MaxTail / 2, outcome.LogTail);
        Assert.DoesNotContain("line 1 .", outcome.LogTail);
        Assert.Contains("[noisy] line 400 .", outcome.LogTail);
        Assert.EndsWith($"deployment {outcome.Id} succeeded in {outcome.DurationMs} ms\n", outcome.LogTail);
        Assert.Matches("^\\S", outcome.LogTail); // starts at a line boundary
    }

    [Fact]
    public async Task DeployWait_Failed_AnswersExitCodeSummaryAndTail()
    {
        var spec = new TestAppSpec { App = "waitfail", Build = [("lint", "echo 'warning: tabs'; exit 5")] };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());

        var (status, outcome) = await fixture.Admin.DeployAndWaitAsync(spec.App, fixture.Sources.Version(spec, "waitfail v1"));

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("failed", outcome.Status);
        Assert.Equal(5, outcome.ExitCode);
        Assert.StartsWith("build: step 'lint' exited with code 5", outcome.ErrorSummary);
        Assert.Contains("[lint] warning: tabs", outcome.LogTail);
        Assert.Contains($"deployment {outcome.Id} failed after {outcome.DurationMs} ms", outcome.LogTail);
    }
}
