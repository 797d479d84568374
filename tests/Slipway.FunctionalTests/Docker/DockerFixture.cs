using Slipway.ControlPlane.Runtime.Docker;
using Slipway.ControlPlane.Store;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Docker;

/// <summary>
/// One real <c>slipway up</c> for the Docker tests (run one after another in <see cref="DockerCollection"/>), with
/// app names unique to this run. Disposing removes every container this Slipway labelled and every image it built.
/// </summary>
public sealed class DockerFixture : IAsyncLifetime
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..6];
    private readonly List<string> _apps = [];
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), $"slipway-docker-{Guid.NewGuid():N}");
    private SlipwayProcess? _slipway;
    private SlipwayStore? _store;

    internal SlipwayProcess Slipway
    {
        get => _slipway ?? throw new InvalidOperationException("Not started.");
        set => _slipway = value;
    }

    internal AdminHttp Admin => Slipway.Admin;

    internal DockerAppSource Sources { get; } = new();

    internal DockerEngine Engine { get; } = DockerEngine.FromEnvironment();

    internal string Owner => DockerLabels.OwnerOf(Slipway.Home);

    /// <summary>
    /// A runtime for tests that drive containers directly. Its store is a scratch one of the fixture's, never the store
    /// of the Slipway that runs: those tests start instances, not deployments.
    /// </summary>
    internal DockerRuntime Runtime(string owner) => new(Engine, owner, _store ??= SlipwayStore.Open(Path.Combine(_scratch, "slipway.db")));

    public async Task InitializeAsync() => _slipway = await SlipwayProcess.UpAsync();

    /// <summary>A fresh app name (so images and containers of other runs never collide) and its registered spec.</summary>
    internal async Task<string> RegisterAsync(string stem, IReadOnlyDictionary<string, string>? env = null, string dockerfile = "Dockerfile", string? extra = null)
    {
        var app = $"{stem}-{_run}";
        lock (_apps)
        {
            _apps.Add(app);
        }

        await Admin.RegisterAsync(app, DockerAppSource.Spec(app, env, dockerfile, extra));
        return app;
    }

    /// <summary>This Slipway's containers of <paramref name="app"/>, running or not.</summary>
    internal Task<IReadOnlyList<ContainerSummary>> ContainersAsync(string app) =>
        Engine.ListContainersAsync([$"{DockerLabels.Owner}={Owner}", $"{DockerLabels.App}={app}"], CancellationToken.None);

    /// <summary>
    /// Builds and starts a container carrying this Slipway's labels that no generation accounts for, as a crashed
    /// deploy or a person might leave behind.
    /// </summary>
    internal async Task<string> StartStrangerAsync()
    {
        var app = $"stranger-{_run}";
        lock (_apps)
        {
            _apps.Add(app);
        }

        var image = await Engine.BuildImageAsync(Sources.Context("stranger"), "Dockerfile", $"slipway/{app}:t1",
            new Dictionary<string, string> { [DockerLabels.App] = app }, _ => { }, CancellationToken.None);
        var id = await Engine.CreateContainerAsync(new ContainerCreate
        {
            ImageId = image,
            Environment = new Dictionary<string, string> { ["PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture) },
            Labels = new Dictionary<string, string> { [DockerLabels.Owner] = Owner, [DockerLabels.App] = app, [DockerLabels.Env] = "prod", [DockerLabels.Generation] = "99" },
        }, CancellationToken.None);
        await Engine.StartContainerAsync(id, CancellationToken.None);
        return id;
    }

    public async Task DisposeAsync()
    {
        string? owner = _slipway is null ? null : Owner;
        if (_slipway is not null)
        {
            await _slipway.DisposeAsync();
        }

        try
        {
            if (owner is not null)
            {
                foreach (var container in await Engine.ListContainersAsync([$"{DockerLabels.Owner}={owner}"], CancellationToken.None))
                {
                    await Engine.RemoveContainerAsync(container.Id, CancellationToken.None);
                }
            }

            foreach (var app in _apps)
            {
                foreach (var image in await Engine.ListImagesAsync([$"{DockerLabels.App}={app}"], CancellationToken.None))
                {
                    await Engine.RemoveImageAsync(image, CancellationToken.None, force: true);
                }
            }
        }
        catch (DockerException)
        {
            // No engine: the tests skipped and created nothing.
        }

        Engine.Dispose();
        Sources.Dispose();
        _store?.Dispose();
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }
}
