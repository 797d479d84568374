using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Slipway.ControlPlane.Deployments;
using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Runtime.Docker;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Hosting;

/// <summary>
/// Steady-state convergence (docs/architecture.md §6), one pass per tick of the background loop: every current generation
/// has a running process and is the one target of its route; a current generation the edge reports unhealthy
/// <see cref="FailuresBeforeRestart"/> times in a row is restarted; one still unhealthy
/// <see cref="RollbackAfter"/> after that restart is rolled back to the previous generation when that one is
/// warm and healthy. Restarts are journaled as <c>deploy.restart.start</c> / <c>deploy.restart.done</c>,
/// including those the edge's supervisor did by itself after a crash.
/// </summary>
internal sealed partial class Reconciler(
    SlipwayStore store,
    IEdgeGateway edge,
    StartupRecovery routes,
    HttpClient probeClient,
    DockerRuntime docker,
    Func<string, string, string, Task> rollBack,
    AppLocks locks,
    TimeProvider time,
    ILogger<Reconciler> logger)
{
    public const string RestartStart = "deploy.restart.start";
    public const string RestartDone = "deploy.restart.done";
    public const string HealthRollback = "deploy.health_rollback";
    public const string GenerationLost = "generation.lost";

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Watch> _watches = new(StringComparer.Ordinal);

    public int FailuresBeforeRestart { get; init; } = 3;

    public TimeSpan RollbackAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>An app's secret values, for a generation it starts again (the edge never returns them).</summary>
    public Func<string, IReadOnlyDictionary<string, string>> Secrets { get; init; } = _ => new Dictionary<string, string>();

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        foreach (var listed in store.ListPointers())
        {
            if (listed.App == SelfDeploy.SelfApp.Name)
            {
                continue; // the control plane itself: routed on the admin listener by self-deploy, restarted by the edge's supervisor
            }

            using var exclusive = locks.TryEnter(listed.App, listed.Env);
            if (exclusive is null)
            {
                continue; // a deployment of this app is running; it owns the route until it ends
            }

            // Read again under the lock: a deployment may have promoted since the list was read.
            var pointers = store.GetPointers(listed.App, listed.Env);
            var processes = (await edge.ListProcessesAsync(cancellationToken)).ToDictionary(p => p.Id, StringComparer.Ordinal);
            if (pointers.Current is not { } number
                || store.GetGeneration(pointers.App, pointers.Env, number) is not { State: GenerationState.Active, ProcessId: { } processId, Port: { } port } generation
                || store.GetApp(pointers.App) is not { } app)
            {
                continue;
            }

            AppSpec spec;
            try
            {
                spec = AppSpecParser.Parse(app.SpecYaml, $"{app.Name}/slipway.yml");
            }
            catch (SpecException)
            {
                continue;
            }

            var watch = _watches.GetOrAdd($"{pointers.App}/{pointers.Env}/{number}", _ => new Watch());
            if (DockerRuntime.IsContainerId(processId))
            {
                await ConvergeContainerAsync(spec, pointers, generation, processId, watch, cancellationToken);
                continue;
            }

            processes.TryGetValue(processId, out var process);
            await ConvergeAsync(spec, pointers, generation, processId, port, process, watch, cancellationToken);
        }
    }

    private async Task ConvergeAsync(AppSpec spec, Pointers pointers, Generation generation, string processId, int port,
        ProcessStatus? process, Watch watch, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (process is null || process.State is "exited" or "stopped")
        {
            if (now < watch.NextAttempt)
            {
                return;
            }

            var reason = process is null ? "its process is missing from the edge" : $"its process {process.State} (exit code {process.LastExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"})";
            await RestartAsync(spec, generation, processId, port, process, reason, watch, cancellationToken);
            return;
        }

        if (watch.SeenRestarts is { } seen && process.Restarts > seen && watch.PendingReason is null)
        {
            // The edge's supervisor restarted it by itself (crash, backoff); journal what happened.
            watch.PendingReason = $"the process exited (code {process.LastExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}) and the edge restarted it";
            watch.RestartedAt ??= now;
            Journal(RestartStart, generation, new { reason = watch.PendingReason, by = "edge", restarts = process.Restarts, pid = process.Pid });
        }

        watch.SeenRestarts = process.Restarts;
        if (await routes.RouteCurrentAsync(spec, pointers.Env, cancellationToken))
        {
            Journal("route.repaired", generation, new { processId, reason = "the edge did not route exactly the current generation" });
        }

        var service = await edge.GetServiceAsync(ServiceNames.For(spec.App, pointers.Env), cancellationToken);
        var health = service?.Targets.FirstOrDefault(t => t.Id == processId)?.Health ?? "unknown";
        if (process.State == "running" && health == "healthy")
        {
            if (watch.PendingReason is not null)
            {
                Journal(RestartDone, generation, new { ok = true, reason = watch.PendingReason, pid = process.Pid });
                Log.Restarted(logger, processId);
            }

            watch.Reset();
            return;
        }

        if (watch.PendingReason is not null)
        {
            // A restart is under way; if it does not bring the generation back in time, fall back to the previous one.
            if (watch.RestartedAt is { } restarted && now - restarted >= RollbackAfter && !watch.RolledBack)
            {
                await RollBackIfPossibleAsync(spec, pointers, generation, watch, cancellationToken);
            }

            return;
        }

        if (process.State != "running" || health != "unhealthy")
        {
            return;
        }

        watch.Failures++;
        if (watch.Failures >= FailuresBeforeRestart)
        {
            await RestartAsync(spec, generation, processId, port, process, $"unhealthy in {watch.Failures} checks in a row", watch, cancellationToken);
        }
    }

    /// <summary>
    /// A current container is the engine's to keep alive: once current it gets the <c>unless-stopped</c> restart
    /// policy (a candidate has none, so a crash during validation fails the deploy instead of being hidden by a
    /// restart). The reconciler journals the engine's restarts and starts a container that stopped anyway
    /// (stopped by hand, or the engine gave up).
    /// </summary>
    private async Task ConvergeContainerAsync(AppSpec spec, Pointers pointers, Generation generation, string containerId, Watch watch,
        CancellationToken cancellationToken)
    {
        try
        {
            var state = await docker.GetStateAsync(containerId, cancellationToken);
            if (state is null)
            {
                if (!watch.Lost)
                {
                    watch.Lost = true;
                    Journal(GenerationLost, generation, new { processId = containerId, reason = "its container is gone from the engine; deploy again or roll back to replace it" });
                    Log.ContainerLost(logger, DockerEngine.Short(containerId), spec.App, pointers.Env);
                }

                return;
            }

            watch.Lost = false;
            if (!watch.KeptAlive)
            {
                await docker.Engine.SetRestartPolicyAsync(containerId, "unless-stopped", cancellationToken);
                watch.KeptAlive = true;
            }

            var now = time.GetUtcNow();
            if (!state.Running && state.State != "restarting")
            {
                if (now < watch.NextAttempt)
                {
                    return;
                }

                var reason = $"its container is {state.State} (exit code {state.LastExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"})";
                BeginRestart(generation, containerId, reason, watch);
                await docker.Engine.StartContainerAsync(containerId, cancellationToken);
                return;
            }

            if (watch.SeenRestarts is { } seen && state.Restarts > seen && watch.PendingReason is null)
            {
                watch.PendingReason = "the container exited and the engine restarted it";
                watch.RestartedAt ??= now;
                Journal(RestartStart, generation, new { reason = watch.PendingReason, by = "engine", restarts = state.Restarts });
            }

            watch.SeenRestarts = state.Restarts;
            if (await routes.RouteCurrentAsync(spec, pointers.Env, cancellationToken))
            {
                Journal("route.repaired", generation, new { processId = containerId, reason = "the edge did not route exactly the current generation" });
            }

            var service = await edge.GetServiceAsync(ServiceNames.For(spec.App, pointers.Env), cancellationToken);
            if (watch.PendingReason is not null && service?.Targets.FirstOrDefault(t => t.Id == containerId)?.Health == "healthy")
            {
                Journal(RestartDone, generation, new { ok = true, reason = watch.PendingReason });
                Log.Restarted(logger, containerId);
                watch.Reset();
            }
        }
        catch (DockerException e)
        {
            Log.DockerCallFailed(logger, e.Message);
        }
    }

    /// <summary>Journals a restart the reconciler is about to do and backs off the next one (1 s doubling to 30 s).</summary>
    private void BeginRestart(Generation generation, string instanceId, string reason, Watch watch)
    {
        var now = time.GetUtcNow();
        Log.Restarting(logger, instanceId, reason);
        watch.PendingReason = reason;
        watch.RestartedAt ??= now;
        watch.Backoff = watch.Backoff == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(watch.Backoff.Ticks * 2, MaxBackoff.Ticks));
        watch.NextAttempt = now + watch.Backoff;
        Journal(RestartStart, generation, new { reason, by = "reconciler", backoffMs = (long)watch.Backoff.TotalMilliseconds });
    }

    private async Task RestartAsync(AppSpec spec, Generation generation, string processId, int port, ProcessStatus? process, string reason,
        Watch watch, CancellationToken cancellationToken)
    {
        BeginRestart(generation, processId, reason, watch);
        // The edge never hands secrets back, so they are added again from the store (as they are now).
        var secrets = Secrets(spec.App);
        var definition = process?.Definition is { Command.Length: > 0 } known
            ? known with { Secrets = secrets.Count > 0 ? secrets : null }
            : store.GetRelease(generation.ReleaseId) is { } release
                ? StartPhase.Definition(spec, generation.Env, generation.Number, release, port, processId, secrets)
                : null;
        if (definition is null)
        {
            Journal(RestartDone, generation, new { ok = false, reason = $"release {generation.ReleaseId} is no longer recorded" });
            return;
        }

        if (process is not null)
        {
            await edge.StopProcessAsync(processId, TimeSpan.FromMilliseconds(definition.StopGraceMs), cancellationToken);
        }

        await edge.StartProcessAsync(definition, cancellationToken);
    }

    private async Task RollBackIfPossibleAsync(AppSpec spec, Pointers pointers, Generation generation, Watch watch, CancellationToken cancellationToken)
    {
        if (pointers.Previous is not { } previousNumber
            || store.GetGeneration(spec.App, pointers.Env, previousNumber) is not { State: GenerationState.Warm, Port: { } port }
            || !await IsHealthyAsync(port, spec.Probes.Health, cancellationToken))
        {
            return;
        }

        watch.RolledBack = true;
        var why = $"generation {generation.Number} stayed unhealthy for {Duration.Format(RollbackAfter)} after a restart; generation {previousNumber} is warm and healthy";
        Journal(HealthRollback, generation, new { from = generation.Number, to = previousNumber, reason = why });
        Log.RollingBack(logger, spec.App, pointers.Env, why);
        await rollBack(spec.App, pointers.Env, why);
    }

    private async Task<bool> IsHealthyAsync(int port, string path, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            using var response = await probeClient.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"), timeout.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private void Journal(string type, Generation generation, object data) =>
        store.AppendEvent(type, generation.App, generation.Env, null, new { generation = generation.Number, details = data });

    /// <summary>What the reconciler remembers about one current generation between passes.</summary>
    private sealed class Watch
    {
        public int? SeenRestarts { get; set; }

        public int Failures { get; set; }

        public string? PendingReason { get; set; }

        public DateTimeOffset? RestartedAt { get; set; }

        public DateTimeOffset NextAttempt { get; set; }

        public TimeSpan Backoff { get; set; }

        public bool RolledBack { get; set; }

        /// <summary>A container's restart policy was set to <c>unless-stopped</c> since it became current.</summary>
        public bool KeptAlive { get; set; }

        /// <summary>The container was found gone and that was journaled (once).</summary>
        public bool Lost { get; set; }

        public void Reset()
        {
            Failures = 0;
            PendingReason = null;
            RestartedAt = null;
            Backoff = TimeSpan.Zero;
            NextAttempt = default;
            RolledBack = false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "Restarting current generation {ProcessId}: {Reason}")]
        public static partial void Restarting(ILogger logger, string processId, string reason);

        [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "Current generation {ProcessId} is running and healthy again")]
        public static partial void Restarted(ILogger logger, string processId);

        [LoggerMessage(EventId = 213, Level = LogLevel.Error, Message = "Current container {ContainerId} of {App}/{Env} is gone from the engine; deploy again or roll back to replace it")]
        public static partial void ContainerLost(ILogger logger, string containerId, string app, string env);

        [LoggerMessage(EventId = 214, Level = LogLevel.Warning, Message = "Docker engine call failed in the reconciler: {Message}")]
        public static partial void DockerCallFailed(ILogger logger, string message);

        [LoggerMessage(EventId = 212, Level = LogLevel.Warning, Message = "Rolling {App}/{Env} back: {Why}")]
        public static partial void RollingBack(ILogger logger, string app, string env, string why);
    }
}
