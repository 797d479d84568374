using System.Globalization;
using Microsoft.Extensions.Logging;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>
/// <c>runtime: docker</c>: each generation is a container created from the release's image <b>id</b> (a tag
/// can move; an id cannot), labelled with what it runs, on the host network with <c>PORT</c> set (or
/// <c>docker.port</c> published on 127.0.0.1), with the engine's restart policy off until it is current. The
/// container id is the instance id; stopping a generation removes its container. Containers outlive the control
/// plane and the edge: recovery adopts them as they are.
/// </summary>
internal sealed partial class DockerRuntime(DockerEngine engine, string owner, SlipwayStore store) : IAppRuntime
{
    public DockerEngine Engine { get; } = engine;

    public string Owner { get; } = owner;

    public DockerImages Images { get; } = new(engine, store);

    public RuntimeKind Kind => RuntimeKind.Docker;

    /// <summary>
    /// A current container is the engine's to keep alive (<c>unless-stopped</c>); a candidate has no restart policy,
    /// so a crash during validation fails the deploy instead of being hidden by a restart.
    /// </summary>
    public Liveness Liveness { get; } = new() { KeptBy = "engine", RestartsUnhealthy = false, RecreatesMissing = false };

    /// <summary>A container runs the image pinned by id; validation checks the container runs exactly that image.</summary>
    public bool RunsReleaseTree => false;

    /// <summary>Container ids are 64 lowercase hex digits; process ids (<c>app-env-gN</c>) never are.</summary>
    public static bool IsContainerId(string id) => id.Length == 64 && id.All(char.IsAsciiHexDigitLower);

    public bool Owns(string instanceId) => IsContainerId(instanceId);

    /// <summary>A rollback's image may have been pruned; the release tree is still there to rebuild it from.</summary>
    public Task<Store.Release> PrepareAsync(AppSpec spec, Store.Release release, Action<string> log, CancellationToken cancellationToken) =>
        Images.EnsureAsync(spec, release, log, cancellationToken);

    public string Describe(AppSpec spec, Store.Release release) => $"container from image {release.ImageId}";

    public async Task<StartedInstance> StartAsync(RuntimeStart start, CancellationToken cancellationToken)
    {
        var imageId = start.Release.ImageId
            ?? throw new DeployFailedException(DeploymentPhase.Start, $"release {start.Release.Id} has no docker image; deploy its revision again to build one", null);
        var environment = DockerLabels.EnvironmentOf(start);
        if (start.Spec.Docker?.Port is { } containerPort)
        {
            environment["PORT"] = containerPort.ToString(CultureInfo.InvariantCulture);
        }

        var create = new ContainerCreate
        {
            ImageId = imageId,
            Environment = environment,
            Labels = DockerLabels.Of(start, Owner),
            ContainerPort = start.Spec.Docker?.Port,
            HostPort = start.Port,
            StopTimeoutSeconds = (int)Math.Ceiling(start.Spec.StopGrace.TotalSeconds),
        };

        string? id = null;
        try
        {
            id = await Engine.CreateContainerAsync(create, cancellationToken);
            await Engine.StartContainerAsync(id, cancellationToken);
            start.Log($"start: container {id[..12]} runs generation {start.Generation}");
            return new StartedInstance(id, imageId);
        }
        catch (DockerException e)
        {
            if (id is not null)
            {
                await RemoveQuietlyAsync(id);
            }

            throw new DeployFailedException(DeploymentPhase.Start, $"could not start the container: {e.Message}", null, e);
        }
    }

    public async Task<InstanceState?> GetStateAsync(string instanceId, CancellationToken cancellationToken)
    {
        var container = await Engine.InspectContainerAsync(instanceId, cancellationToken);
        return container is null
            ? null
            : new InstanceState
            {
                State = container.State,
                StateText = container.Status,
                // Backoff ("restarting") is the engine's restart policy at work; anything else not running stays down.
                EndedReason = container.State is not (ProcessState.Running or ProcessState.Starting or ProcessState.Backoff)
                    ? $"its container is {container.Status} (exit code {container.ExitCode.ToString(CultureInfo.InvariantCulture)})"
                    : null,
                Restarts = container.RestartCount,
                LastExitCode = container.Running ? null : container.ExitCode,
                Pid = container.Pid,
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

    public Task<IReadOnlyList<TargetDefinition>> TargetsAsync(string instanceId, int port, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TargetDefinition>>([new TargetDefinition { Id = instanceId, Url = $"http://127.0.0.1:{port}" }]);

    public async Task PruneAsync(AppSpec spec, Action<string> log, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var image in await Images.PruneAsync(spec.App, spec.KeepReleases, spec.Environments, cancellationToken))
            {
                log($"release: removed image {DockerEngine.Short(image)} (beyond keep_releases: {spec.KeepReleases})");
            }
        }
        catch (DockerException e)
        {
            log($"release: could not prune old images: {e.Message}");
        }
    }

    public Task KeepAliveAsync(string instanceId, CancellationToken cancellationToken) =>
        Engine.SetRestartPolicyAsync(instanceId, "unless-stopped", cancellationToken);

    /// <summary>The same container again: its image and configuration are what was validated.</summary>
    public async Task<bool> RestartAsync(RuntimeRestart restart, CancellationToken cancellationToken)
    {
        await Engine.StartContainerAsync(restart.InstanceId, cancellationToken);
        return true;
    }

    /// <summary>A container created just before the crash may not have reached the store yet: it is found by its labels.</summary>
    public async Task StopUnrecordedAsync(Generation generation, CancellationToken cancellationToken)
    {
        var containers = await Engine.ListContainersAsync(
        [
            $"{DockerLabels.Owner}={Owner}", $"{DockerLabels.App}={generation.App}", $"{DockerLabels.Env}={generation.Env}",
            $"{DockerLabels.Generation}={generation.Number}",
        ], cancellationToken);
        foreach (var container in containers)
        {
            await StopAsync(container.Id, TimeSpan.FromSeconds(5), cancellationToken);
        }
    }

    /// <summary>
    /// Live container generations keep their containers; a stopped one is started again (same container); Slipway
    /// containers no generation accounts for are reported, never killed. Never throws for the engine's errors: a hung
    /// or absent engine must not keep the control plane from becoming ready for process apps.
    /// </summary>
    public async Task<int> RecoverAsync(ILogger logger, CancellationToken cancellationToken)
    {
        var live = store.ListLiveGenerations().Where(g => g.ProcessId is { } id && IsContainerId(id)).ToDictionary(g => g.ProcessId!, StringComparer.Ordinal);
        IReadOnlyList<ContainerSummary> containers;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            containers = await Engine.ListContainersAsync([$"{DockerLabels.Owner}={Owner}"], timeout.Token);
        }
        catch (Exception e) when (e is DockerException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            if (live.Count > 0)
            {
                Log.DockerCallFailed(logger, e is DockerException ? e.Message : "the engine did not answer within 15 s");
            }

            return 0;
        }

        foreach (var container in containers)
        {
            if (!live.Remove(container.Id, out var generation))
            {
                Log.UnknownContainer(logger, DockerEngine.Short(container.Id), container.Labels.GetValueOrDefault(DockerLabels.App) ?? "?",
                    container.Labels.GetValueOrDefault(DockerLabels.Generation) ?? "?");
                continue;
            }

            if (ContainerStatus.IsRunning(container.State))
            {
                Log.Adopted(logger, DockerEngine.Short(container.Id), generation.App, generation.Env, generation.Number);
                continue;
            }

            Log.Restarting(logger, DockerEngine.Short(container.Id), generation.App, generation.Env, generation.Number, container.State);
            try
            {
                await Engine.StartContainerAsync(container.Id, cancellationToken);
            }
            catch (DockerException e)
            {
                Log.DockerCallFailed(logger, e.Message);
            }
        }

        foreach (var missing in live.Values)
        {
            Log.ContainerMissing(logger, missing.App, missing.Env, missing.Number, DockerEngine.Short(missing.ProcessId!));
        }

        return 0;
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

    private static partial class Log
    {
        [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "Docker engine call failed during recovery: {Reason}")]
        public static partial void DockerCallFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 211, Level = LogLevel.Warning, Message = "Container {Container} (app {App}, generation {Generation}) is labelled by this Slipway but no live generation runs in it; left alone (`slipway doctor` lists it)")]
        public static partial void UnknownContainer(ILogger logger, string container, string app, string generation);

        [LoggerMessage(EventId = 212, Level = LogLevel.Information, Message = "Adopted running container {Container} of {App}/{Env} generation {Generation}")]
        public static partial void Adopted(ILogger logger, string container, string app, string env, long generation);

        [LoggerMessage(EventId = 213, Level = LogLevel.Warning, Message = "Container {Container} of {App}/{Env} generation {Generation} is {State}; starting it again")]
        public static partial void Restarting(ILogger logger, string container, string app, string env, long generation, string state);

        [LoggerMessage(EventId = 214, Level = LogLevel.Warning, Message = "Generation {Generation} of {App}/{Env} ran in container {Container}, which the engine no longer has")]
        public static partial void ContainerMissing(ILogger logger, string app, string env, long generation, string container);
    }
}
