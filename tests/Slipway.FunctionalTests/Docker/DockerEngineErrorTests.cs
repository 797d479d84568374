using System.Net;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Runtime;
using Slipway.ControlPlane.Runtime.Docker;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;

namespace Slipway.FunctionalTests.Docker;

/// <summary>
/// A real engine that answers with an error status is up and said no: the error names the status, what it means and
/// the engine's own words, and never claims the engine is unavailable (which sends an operator to restart a healthy
/// dockerd).
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class DockerEngineErrorTests(DockerFixture fixture)
{
    private static readonly string MissingImage = "sha256:" + new string('0', 64);

    [SkippableFact]
    public async Task CreateContainer_ImageTheEngineDoesNotHave_SaysNotFoundInTheEngineWords()
    {
        await DockerRequirement.RequireAsync();

        var e = await Assert.ThrowsAsync<DockerEngineErrorException>(() => fixture.Engine.CreateContainerAsync(
            new ContainerCreate { ImageId = MissingImage, Labels = new Dictionary<string, string> { [DockerLabels.Owner] = fixture.Owner } },
            CancellationToken.None));

        AssertNotFound(e, $"No such image: {MissingImage}");
        Assert.Contains("could not create the container", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task StartContainer_NameTheEngineDoesNotKnow_SaysNotFoundInTheEngineWords()
    {
        await DockerRequirement.RequireAsync();
        var name = $"slipway-no-such-{Guid.NewGuid():N}";

        var e = await Assert.ThrowsAsync<DockerEngineErrorException>(() => fixture.Engine.StartContainerAsync(name, CancellationToken.None));

        AssertNotFound(e, $"No such container: {name}");
        Assert.Contains("could not start container", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task StartGeneration_ReleaseImageGone_FailsTheStartPhaseSayingTheImageWasNotFoundAndLeavesNoContainer()
    {
        await DockerRequirement.RequireAsync();
        var app = $"gone-{Guid.NewGuid():N}"[..16];
        var runtime = fixture.Runtime(fixture.Owner);
        var start = new RuntimeStart
        {
            Spec = AppSpecParser.Parse(DockerAppSource.Spec(app)),
            Env = "prod",
            Generation = 1,
            Release = new Slipway.ControlPlane.Store.Release
            {
                Id = "r20261202000000-00000000",
                App = app,
                Digest = MissingImage,
                BuiltAt = DateTimeOffset.UtcNow,
                Path = "/nonexistent",
                ImageId = MissingImage,
            },
            Port = Infrastructure.FreePort.Next(),
            Environment = new Dictionary<string, string>(),
        };

        var e = await Assert.ThrowsAsync<DeployFailedException>(() => runtime.StartAsync(start, CancellationToken.None));

        Assert.Equal(DeploymentPhase.Start, e.Phase);
        Assert.Contains("could not start the container", e.Summary, StringComparison.Ordinal);
        Assert.Contains($"404 (not found) No such image: {MissingImage}", e.Summary, StringComparison.Ordinal);
        AssertNotCalledUnavailable(e.Summary);
        Assert.Empty(await fixture.Engine.ListContainersAsync([$"{DockerLabels.Owner}={fixture.Owner}", $"{DockerLabels.App}={app}"], CancellationToken.None));
    }

    /// <summary>The engine's 404, its meaning and its own words, all in the message.</summary>
    private static void AssertNotFound(DockerEngineErrorException e, string engineWords)
    {
        Assert.Equal(HttpStatusCode.NotFound, e.Status);
        Assert.Contains(engineWords, e.EngineMessage, StringComparison.Ordinal);
        Assert.Contains($"404 (not found) {engineWords}", e.Message, StringComparison.Ordinal);
        AssertNotCalledUnavailable(e.Message);
    }

    private static void AssertNotCalledUnavailable(string message)
    {
        Assert.DoesNotContain("does not answer", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("unavailable", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("unreachable", message, StringComparison.OrdinalIgnoreCase);
    }
}
