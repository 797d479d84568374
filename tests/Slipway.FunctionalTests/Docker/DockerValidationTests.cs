using System.Globalization;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Runtime;
using Slipway.ControlPlane.Runtime.Docker;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Docker;

/// <summary>
/// SHA-verify: a container is promoted only if it runs the image built for the release and was started by this
/// deployment, however healthy it looks.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class DockerValidationTests(DockerFixture fixture) : IAsyncLifetime
{
    private static readonly ProbeSpec Probes = new() { Interval = TimeSpan.FromMilliseconds(200), Timeout = TimeSpan.FromSeconds(2), Passes = 2, Deadline = TimeSpan.FromSeconds(20) };
    private readonly string _app = $"verify-{Guid.NewGuid():N}"[..20];
    private readonly List<string> _images = [];
    private string? _container;
    private int _port;

    public Task InitializeAsync() => Task.CompletedTask;

    [SkippableFact]
    public async Task Validate_ContainerRunsAnotherImage_RefusedNamingBothImages()
    {
        var (running, other) = await StartAsync();

        var e = await Assert.ThrowsAsync<DeployFailedException>(() => ValidateAsync(new Candidate(_app, "prod", 1, _container!, _port, "r1",
            ImageId: other, StartedAfter: DateTimeOffset.UtcNow.AddMinutes(-5))));

        Assert.Equal(DeploymentPhase.Validate, e.Phase);
        Assert.Contains($"the container runs image {running}, not the image built for release r1 ({other}); refusing to promote it", e.Summary);
    }

    [SkippableFact]
    public async Task Validate_ContainerStartedBeforeTheDeployment_Refused()
    {
        var (running, _) = await StartAsync();

        var e = await Assert.ThrowsAsync<DeployFailedException>(() => ValidateAsync(new Candidate(_app, "prod", 1, _container!, _port, "r1",
            ImageId: running, StartedAfter: DateTimeOffset.UtcNow.AddMinutes(5))));

        Assert.Contains("before this deployment started it", e.Summary);
    }

    [SkippableFact]
    public async Task Validate_RightImageStartedDuringDeployment_Passes()
    {
        var (running, _) = await StartAsync();

        await ValidateAsync(new Candidate(_app, "prod", 1, _container!, _port, "r1", ImageId: running, StartedAfter: DateTimeOffset.UtcNow.AddMinutes(-5)));
    }

    public async Task DisposeAsync()
    {
        if (_container is not null)
        {
            await fixture.Engine.RemoveContainerAsync(_container, CancellationToken.None);
        }

        foreach (var image in _images)
        {
            await fixture.Engine.RemoveImageAsync(image, CancellationToken.None, force: true);
        }
    }

    /// <summary>Builds two different images and runs the first; returns both ids.</summary>
    private async Task<(string Running, string Other)> StartAsync()
    {
        await DockerRequirement.RequireAsync();
        var labels = new Dictionary<string, string> { [DockerLabels.App] = _app };
        var running = await fixture.Engine.BuildImageAsync(fixture.Sources.Context("verify a"), "Dockerfile", $"slipway/{_app}:a", labels, _ => { }, CancellationToken.None);
        _images.Add(running);
        var other = await fixture.Engine.BuildImageAsync(fixture.Sources.Context("verify b"), "Dockerfile", $"slipway/{_app}:b", labels, _ => { }, CancellationToken.None);
        _images.Add(other);
        Assert.NotEqual(running, other);
        _port = FreePort.Next();
        _container = await fixture.Engine.CreateContainerAsync(new ContainerCreate
        {
            ImageId = running,
            Environment = new Dictionary<string, string> { ["PORT"] = _port.ToString(CultureInfo.InvariantCulture) },
            Labels = labels,
        }, CancellationToken.None);
        await fixture.Engine.StartContainerAsync(_container, CancellationToken.None);
        return (running, other);
    }

    private async Task ValidateAsync(Candidate candidate)
    {
        using var http = new HttpClient();
        var validate = new ValidatePhase(new AppRuntimes(fixture.Runtime("test")), http, TimeProvider.System);
        await validate.ValidateAsync(candidate, Probes, "http1", "test", "sha256:test", _ => { }, CancellationToken.None);
    }
}
