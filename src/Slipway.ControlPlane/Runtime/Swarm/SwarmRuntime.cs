using System.Globalization;
using Microsoft.Extensions.Logging;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Runtime.Docker;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Runtime.Swarm;

/// <summary>
/// <c>runtime: swarm</c> (docs/scale-out.md): the release's image is built once on the swarm manager's engine, pushed
/// to the configured registry and pinned by the digest the registry answered, so every node runs the bytes that were
/// validated. Each generation is its own service (<c>APP-ENV-gN</c>, instance id <c>swarm:APP-ENV-gN</c>) of
/// <c>replicas</c> tasks on the nodes' host network with <c>PORT</c> set; the edge gets one target per running task at
/// its node's address and does the health-gated swap and the drain as for any runtime. The swarm replaces a task that
/// ends (<c>RestartPolicy: any</c>, set at creation: changing it later would replace every running task); a task that
/// failed stays in the service's history, so one that fails during validation still fails the deploy, and once
/// current the reconciler journals the swarm's restarts and routes the edge to wherever the tasks run now.
/// </summary>
internal sealed partial class SwarmRuntime(SwarmSettings settings, string owner, SlipwayStore store) : IAppRuntime
{
    public const string Prefix = "swarm:";

    public RuntimeKind Kind => RuntimeKind.Swarm;

    /// <summary>The swarm keeps tasks alive and reschedules them; Slipway journals what it did and follows it in the edge.</summary>
    public Liveness Liveness { get; } = new() { KeptBy = "swarm", RestartsUnhealthy = false, RecreatesMissing = false };

    public bool RunsReleaseTree => false;

    public bool Owns(string instanceId) => instanceId.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The service behind an instance id.</summary>
    public static string ServiceName(string instanceId) => instanceId[Prefix.Length..];

    /// <summary>Builds (unless the manager has it), pushes and pins the release's image; the release carries the pinned reference.</summary>
    public async Task<Store.Release> PrepareAsync(AppSpec spec, Store.Release release, Action<string> log, CancellationToken cancellationToken)
    {
        var (manager, registry) = Configured(DeploymentPhase.Release);
        try
        {
            var (isManager, _, state) = await manager.SwarmStateAsync(cancellationToken);
            if (!isManager)
            {
                throw new DeployFailedException(DeploymentPhase.Release,
                    $"the engine at {manager.SocketPath} is not a swarm manager (swarm state: {state}); run `docker swarm init` there, or point SLIPWAY_SWARM_MANAGER at a manager's socket", null);
            }

            var repository = $"{registry}/slipway/{spec.App}";
            var tag = $"{repository}:{release.Id}";
            if (await manager.InspectImageAsync(tag, cancellationToken) is { } existing)
            {
                log($"release: image {DockerEngine.Short(existing)} of release {release.Id} is on the swarm manager");
            }
            else
            {
                var built = await DockerImages.BuildAsync(manager, spec, release, tag, log, cancellationToken);
                log($"release: image {DockerEngine.Short(built)} built on the swarm manager");
            }

            var digest = await manager.PushImageAsync(repository, release.Id, line => log("push: " + line), cancellationToken);
            var pinned = $"{repository}@{digest}";
            log($"release: pushed to {registry}; every node runs {pinned}");
            return release with { ImageId = pinned };
        }
        catch (DockerException e)
        {
            throw new DeployFailedException(DeploymentPhase.Release, e.Message, null, e);
        }
    }

    public string Describe(AppSpec spec, Store.Release release) =>
        $"swarm service of {(spec.Swarm?.Replicas ?? 1).ToString(CultureInfo.InvariantCulture)} task(s) from {release.ImageId ?? "(no image yet)"}";

    public async Task<StartedInstance> StartAsync(RuntimeStart start, CancellationToken cancellationToken)
    {
        var (manager, _) = Configured(DeploymentPhase.Start);
        var image = start.Release.ImageId is { } pinned && pinned.Contains("@sha256:", StringComparison.Ordinal)
            ? pinned
            : throw new DeployFailedException(DeploymentPhase.Start, $"release {start.Release.Id} has no image pinned by digest in the registry; deploy it again", null);
        // The swarm keeps a service's environment, secrets included, in its raft store on every manager (docs/scale-out.md).
        var environment = DockerLabels.EnvironmentOf(start);
        var swarm = start.Spec.Swarm ?? new SwarmSpec();
        var name = Candidate.ProcessIdFor(start.Spec.App, start.Env, (int)start.Generation);
        try
        {
            await manager.CreateServiceAsync(new SwarmServiceCreate
            {
                Name = name,
                Image = image,
                Replicas = swarm.Replicas,
                Constraints = swarm.Constraints,
                MaxPerNode = swarm.MaxPerNode,
                Environment = environment,
                Labels = DockerLabels.Of(start, owner),
                StopGrace = start.Spec.StopGrace,
            }, cancellationToken);
        }
        catch (DockerException e)
        {
            throw new DeployFailedException(DeploymentPhase.Start, $"could not create service {name}: {e.Message}", null, e);
        }

        start.Log($"start: service {name} of {swarm.Replicas} task(s) runs generation {start.Generation} on the swarm's nodes at port {start.Port}");
        return new StartedInstance(Prefix + name, image);
    }

    /// <summary>One target per running task on a ready node, at its node's address: <c>swarm:SERVICE/SLOT</c>.</summary>
    public async Task<IReadOnlyList<TargetDefinition>> TargetsAsync(string instanceId, int port, CancellationToken cancellationToken)
    {
        var (manager, _) = Configured();
        var service = await manager.InspectServiceAsync(ServiceName(instanceId), cancellationToken);
        if (service is null)
        {
            return [];
        }

        // A task on a node the swarm no longer hears from is not a target, whatever its last reported state.
        var nodes = (await manager.ListNodesAsync(cancellationToken)).Where(n => n.Ready).ToDictionary(n => n.Id, StringComparer.Ordinal);
        return [.. (await manager.ListTasksAsync(service.Id, cancellationToken))
            .Where(t => t.Running && t.DesiredState == SwarmTaskState.Running && nodes.ContainsKey(t.NodeId))
            .OrderBy(t => t.Slot)
            .Select(t => new TargetDefinition
            {
                Id = $"{instanceId}/{t.Slot.ToString(CultureInfo.InvariantCulture)}",
                Url = $"http://{nodes[t.NodeId].Address}:{port.ToString(CultureInfo.InvariantCulture)}",
            })];
    }

    /// <summary>
    /// <c>running</c> when every replica's task runs, <c>starting</c> while some are on their way; a task that failed
    /// counts as a restart (the swarm replaces it once the service is kept alive). Ended when the service wants no task.
    /// </summary>
    public async Task<InstanceState?> GetStateAsync(string instanceId, CancellationToken cancellationToken)
    {
        var (manager, _) = Configured();
        var service = await manager.InspectServiceAsync(ServiceName(instanceId), cancellationToken);
        if (service is null)
        {
            return null;
        }

        var tasks = await manager.ListTasksAsync(service.Id, cancellationToken);
        var running = tasks.Count(t => t.Running && t.DesiredState == SwarmTaskState.Running);
        var failed = tasks.Where(t => t.Failed).ToList();
        var lastFailed = failed.FirstOrDefault();
        var all = running >= service.Replicas && service.Replicas > 0;
        return new InstanceState
        {
            State = all ? ProcessState.Running : ProcessState.Starting,
            StateText = all ? "running" : $"starting ({running.ToString(CultureInfo.InvariantCulture)} of {service.Replicas.ToString(CultureInfo.InvariantCulture)} tasks running)",
            EndedReason = service.Replicas == 0 ? $"its service {service.Name} runs no task (replicas: 0)" : null,
            Restarts = failed.Count,
            LastExitCode = lastFailed?.ExitCode,
            ImageId = service.Image,
            StartedAt = service.CreatedAt,
        };
    }

    public Task<string> TailAsync(string instanceId, int lines, CancellationToken cancellationToken) =>
        Configured().Manager.ServiceLogsAsync(ServiceName(instanceId), lines, cancellationToken);

    /// <summary>
    /// Scales the service to 0 and waits (the app's <c>stop_grace</c>, set on the service, plus 15 s) until no task runs,
    /// then removes it: removing it at once would return while its tasks still hold the port on their nodes, and the
    /// next generation may be given that port.
    /// </summary>
    public async Task StopAsync(string instanceId, TimeSpan grace, CancellationToken cancellationToken)
    {
        var manager = Configured().Manager;
        var name = ServiceName(instanceId);
        if (await manager.InspectServiceAsync(name, cancellationToken) is not { } service)
        {
            return;
        }

        await manager.ScaleServiceAsync(name, 0, cancellationToken);
        var deadline = DateTimeOffset.UtcNow + grace + TimeSpan.FromSeconds(15);
        while ((await manager.ListTasksAsync(service.Id, cancellationToken)).Any(t => t.Active)
               && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }

        await manager.RemoveServiceAsync(name, cancellationToken);
    }

    /// <summary>Images stay in the registry and on the nodes (pruning them is the registry's garbage collection).</summary>
    public Task PruneAsync(AppSpec spec, Action<string> log, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Nothing to do: every service is created with <c>RestartPolicy: any</c> (see <see cref="GetStateAsync"/> for candidates).</summary>
    public Task KeepAliveAsync(string instanceId, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Starts the service's tasks again with the spec's replica count (the same pinned image).</summary>
    public async Task<bool> RestartAsync(RuntimeRestart restart, CancellationToken cancellationToken)
    {
        await Configured().Manager.RestartServiceAsync(ServiceName(restart.InstanceId), restart.Spec.Swarm?.Replicas ?? 1, cancellationToken);
        return true;
    }

    /// <summary>A service is named after its generation before it is created, so one the store never heard of is found by name.</summary>
    public async Task StopUnrecordedAsync(Generation generation, CancellationToken cancellationToken)
    {
        if (settings.Manager is { } manager)
        {
            await manager.RemoveServiceAsync(Candidate.ProcessIdFor(generation.App, generation.Env, (int)generation.Number), cancellationToken);
        }
    }

    /// <summary>Services of this Slipway that no live generation accounts for are reported, never removed.</summary>
    public async Task<int> RecoverAsync(ILogger logger, CancellationToken cancellationToken)
    {
        if (settings.Manager is not { } manager)
        {
            return 0;
        }

        var live = store.ListLiveGenerations().Where(g => g.ProcessId is { } id && Owns(id)).Select(g => ServiceName(g.ProcessId!)).ToHashSet(StringComparer.Ordinal);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            foreach (var service in await manager.ListServicesAsync([$"{DockerLabels.Owner}={owner}"], timeout.Token))
            {
                if (!live.Contains(service.Name))
                {
                    Log.UnknownService(logger, service.Name);
                }
            }
        }
        catch (Exception e) when (e is DockerException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            if (live.Count > 0)
            {
                Log.ManagerFailed(logger, e is DockerException ? e.Message : "the swarm manager did not answer within 15 s");
            }
        }

        return 0;
    }

    /// <summary>
    /// The manager and registry, or why there are none: a deploy's phase fails saying which variable to set; any other
    /// caller (the reconciler, recovery, a stop) gets an engine error it already handles.
    /// </summary>
    private (DockerEngine Manager, string Registry) Configured(DeploymentPhase? phase = null)
    {
        var missing = settings.Manager is null
            ? "runtime: swarm needs a swarm manager: start Slipway with SLIPWAY_SWARM_MANAGER=unix:///path/to/manager/docker.sock (docs/scale-out.md)"
            : settings.Registry is null
                ? "runtime: swarm needs a registry every node can pull from: start Slipway with SLIPWAY_SWARM_REGISTRY=HOST:PORT (docs/scale-out.md)"
                : null;
        return missing is null ? (settings.Manager!, settings.Registry!)
            : phase is not null ? throw new DeployFailedException(phase, missing, null)
            : throw new DockerUnavailableException(missing);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 230, Level = LogLevel.Warning, Message = "Swarm service {Service} is labelled by this Slipway but no live generation runs in it; left alone")]
        public static partial void UnknownService(ILogger logger, string service);

        [LoggerMessage(EventId = 231, Level = LogLevel.Warning, Message = "Swarm manager call failed during recovery: {Reason}")]
        public static partial void ManagerFailed(ILogger logger, string reason);
    }
}

/// <summary>Where the swarm is: the manager's Engine API socket and the registry its nodes pull from (host settings).</summary>
internal sealed record SwarmSettings(DockerEngine? Manager, string? Registry)
{
    /// <summary>From <c>SLIPWAY_SWARM_MANAGER</c> (<c>unix:///path</c> or a path) and <c>SLIPWAY_SWARM_REGISTRY</c> (<c>HOST:PORT</c>); unset means none.</summary>
    public static SwarmSettings From(string? manager, string? registry)
    {
        var path = manager switch
        {
            null or "" => null,
            _ when manager.StartsWith("unix://", StringComparison.Ordinal) => manager["unix://".Length..],
            _ when manager.StartsWith('/') => manager,
            _ => throw new ArgumentException($"SLIPWAY_SWARM_MANAGER '{manager}' is not a Unix socket: give unix:///path/to/docker.sock (a tcp:// manager is not supported yet)."),
        };
        if (registry is { Length: > 0 } && (registry.Contains("://", StringComparison.Ordinal) || registry.Contains('/', StringComparison.Ordinal)))
        {
            throw new ArgumentException($"SLIPWAY_SWARM_REGISTRY '{registry}' must be HOST:PORT (no scheme, no path), e.g. 10.0.0.5:5000.");
        }

        return new SwarmSettings(path is null ? null : new DockerEngine(path), registry is { Length: > 0 } ? registry : null);
    }
}
