using System.Globalization;
using Slipway.ControlPlane.Pipeline;

namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>
/// <c>runtime: docker</c>: each generation is a container created from the release's image <b>id</b> (a tag
/// can move; an id cannot), labelled with what it runs, on the host network with <c>PORT</c> set (or
/// <c>docker.port</c> published on 127.0.0.1), with the engine's restart policy off. The container id is the
/// instance id; stopping a generation removes its container.
/// </summary>
internal sealed class DockerRuntime(DockerEngine engine, string owner) : IAppRuntime
{
    public DockerEngine Engine { get; } = engine;

    public string Owner { get; } = owner;

    /// <summary>Container ids are 64 lowercase hex digits; process ids (<c>app-env-gN</c>) never are.</summary>
    public static bool IsContainerId(string id) => id.Length == 64 && id.All(char.IsAsciiHexDigitLower);

    public async Task<string> StartAsync(RuntimeStart start, CancellationToken cancellationToken)
    {
        var imageId = start.Release.ImageId
            ?? throw new DeployFailedException("start", $"release {start.Release.Id} has no docker image; deploy its revision again to build one", null);
        var environment = new Dictionary<string, string>(start.Environment, StringComparer.Ordinal);
        // The engine keeps a container's environment in its own store (outside SLIPWAY_HOME); docs/secrets.md says so.
        foreach (var (name, value) in start.Secrets)
        {
            environment[name] = value;
        }

        // The host path of the manifest means nothing inside the image; the app serves the release.json copied into it.
        environment.Remove("SLIPWAY_RELEASE_MANIFEST");
        if (start.Spec.Docker?.Port is { } containerPort)
        {
            environment["PORT"] = containerPort.ToString(CultureInfo.InvariantCulture);
        }

        var create = new ContainerCreate
        {
            ImageId = imageId,
            Environment = environment,
            Labels = new Dictionary<string, string>
            {
                [DockerLabels.App] = start.Spec.App,
                [DockerLabels.Env] = start.Env,
                [DockerLabels.Generation] = start.Generation.ToString(CultureInfo.InvariantCulture),
                [DockerLabels.Release] = start.Release.Id,
                [DockerLabels.Digest] = start.Release.Digest,
                [DockerLabels.Owner] = Owner,
            },
            ContainerPort = start.Spec.Docker?.Port,
            HostPort = start.Port,
            StopTimeoutSeconds = (int)Math.Ceiling(start.Spec.StopGrace.TotalSeconds),
        };

        string? id = null;
        try
        {
            id = await Engine.CreateContainerAsync(create, cancellationToken);
            await Engine.StartContainerAsync(id, cancellationToken);
            return id;
        }
        catch (DockerException e)
        {
            if (id is not null)
            {
                await RemoveQuietlyAsync(id);
            }

            throw new DeployFailedException("start", $"could not start the container: {e.Message}", null, e);
        }
    }

    public async Task<InstanceState?> GetStateAsync(string instanceId, CancellationToken cancellationToken)
    {
        var container = await Engine.InspectContainerAsync(instanceId, cancellationToken);
        return container is null
            ? null
            : new InstanceState
            {
                State = container.Status,
                Restarts = container.RestartCount,
                LastExitCode = container.Running ? null : container.ExitCode,
                ImageId = container.ImageId,
                StartedAt = container.StartedAt,
            };
    }

    public Task<string> TailAsync(string instanceId, int lines, CancellationToken cancellationToken) =>
        Engine.LogsAsync(instanceId, lines, cancellationToken);

    public async Task StopAsync(string instanceId, TimeSpan grace, CancellationToken cancellationToken)
    {
        await Engine.StopContainerAsync(instanceId, grace, cancellationToken);
        await Engine.RemoveContainerAsync(instanceId, cancellationToken);
    }

    private async Task RemoveQuietlyAsync(string id)
    {
        try
        {
            await Engine.RemoveContainerAsync(id, CancellationToken.None);
        }
        catch (DockerException)
        {
            // Recovery and doctor find a labelled container left behind.
        }
    }
}
