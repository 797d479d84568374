using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Slipway.ControlPlane.Deployments;
using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Runtime;
using Slipway.ControlPlane.Runtime.Docker;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Hosting;

/// <summary>
/// Steady-state convergence (docs/architecture.md §6), one pass per tick of the background loop, one loop for every
/// runtime: every current generation has a running instance and is the one target of its route; where the runtime
/// leaves health to Slipway (processes), a current generation the edge reports unhealthy
/// <see cref="FailuresBeforeRestart"/> times in a row is restarted; one still unhealthy
/// <see cref="RollbackAfter"/> after that restart is rolled back to the previous generation when that one is
/// warm and healthy. Restarts are journaled as <c>deploy.restart.start</c> / <c>deploy.restart.done</c>,
/// including those the edge's supervisor did by itself after a crash.
/// </summary>
internal sealed partial class Reconciler(
    SlipwayStore store,
    AppCatalog specs,
    IEdgeGateway edge,
    StartupRecovery routes,
    HttpClient probeClient,
    AppRuntimes runtimes,
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

    /// <summary>When this reconciler began: a generation created since then was validated with no restart, under its watch.</summary>
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    public int FailuresBeforeRestart { get; init; } = 3;

    public TimeSpan RollbackAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>An app's secret values, for a generation it starts again (the edge never returns them).</summary>
    public Func<string, IReadOnlyDictionary<string, string>> Secrets { get; init; } = _ => new Dictionary<string, string>();

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        // A generation that stopped running takes its watch with it (the map would grow with every deploy); a warm one
        // keeps it, so a rollback to it does not count its old restarts again. Current generations are live too.
        var live = store.ListLiveGenerations().Select(g => WatchKey(g.App, g.Env, g.Number)).ToHashSet(StringComparer.Ordinal);
        foreach (var key in _watches.Keys.Where(k => !live.Contains(k)))
        {
            _watches.TryRemove(key, out _);
        }

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
            if (pointers.Current is not { } number
                || store.GetGeneration(pointers.App, pointers.Env, number) is not { State: GenerationState.Active, ProcessId: { } instanceId, Port: { } port } generation
                || store.GetApp(pointers.App) is not { } app)
            {
                continue;
            }

            if (specs.TryOf(app) is not { } spec)
            {
                continue;
            }

            // Restarts are counted from a baseline: 0 for a generation this reconciler saw validated (it had none then, so
            // one its keeper made before the first pass is journaled too), else what the runtime reports at the first look.
            var watch = _watches.GetOrAdd(WatchKey(pointers.App, pointers.Env, number), _ => new Watch { SeenRestarts = generation.CreatedAt >= _startedAt ? 0 : null });
            // The runtime that runs the generation, which is not the spec's when the app switched runtimes since.
            await ConvergeAsync(runtimes.ForInstance(instanceId), spec, pointers, generation, instanceId, port, watch, cancellationToken);
        }
    }

    private static string WatchKey(string app, string env, long generation) => $"{app}/{env}/{generation}";

    /// <summary>
    /// One pass for one current generation, whatever runs it: an instance that ended (or went missing, where the runtime
    /// can recreate it) is started again with backoff; restarts its keeper did by itself are journaled; the route is
    /// repaired; and, where the runtime leaves health to Slipway (<see cref="Liveness.RestartsUnhealthy"/>), an unhealthy
    /// one is restarted and then rolled back. An instance the runtime cannot recreate is journaled lost, once.
    /// </summary>
    private async Task ConvergeAsync(IAppRuntime runtime, AppSpec spec, Pointers pointers, Generation generation, string instanceId, int port,
        Watch watch, CancellationToken cancellationToken)
    {
        var liveness = runtime.Liveness;
        var noun = runtime.Kind.Instance;
        try
        {
            var state = await runtime.GetStateAsync(instanceId, cancellationToken);
            if (state is null && !liveness.RecreatesMissing)
            {
                if (!watch.Lost)
                {
                    watch.Lost = true;
                    Journal(GenerationLost, generation, new { processId = instanceId, reason = $"its {noun} is gone from the {liveness.KeptBy}; deploy again or roll back to replace it" });
                    Log.InstanceLost(logger, instanceId, noun, spec.App, pointers.Env);
                }

                return;
            }

            watch.Lost = false;
            if (state is not null && !watch.KeptAlive)
            {
                await runtime.KeepAliveAsync(instanceId, cancellationToken);
                watch.KeptAlive = true;
            }

            var now = time.GetUtcNow();
            if (state is null || state.Ended)
            {
                if (now < watch.NextAttempt)
                {
                    return;
                }

                var reason = state?.EndedReason ?? $"its {noun} is missing from the {liveness.KeptBy}";
                await RestartAsync(runtime, spec, generation, instanceId, port, reason, watch, cancellationToken);
                return;
            }

            if (watch.SeenRestarts is { } seen && state.Restarts > seen && watch.PendingReason is null)
            {
                // Its keeper (the edge's supervisor, the engine's restart policy) restarted it by itself; journal what happened.
                var code = state.LastExitCode is { } exit ? $" (code {exit.ToString(System.Globalization.CultureInfo.InvariantCulture)})" : "";
                watch.PendingReason = $"the {noun} exited{code} and the {liveness.KeptBy} restarted it";
                watch.RestartedAt ??= now;
                Journal(RestartStart, generation, new { reason = watch.PendingReason, by = liveness.KeptBy, restarts = state.Restarts, pid = state.Pid });
            }

            watch.SeenRestarts = state.Restarts;
            if (await routes.RouteCurrentAsync(spec, pointers.Env, cancellationToken))
            {
                Journal("route.repaired", generation, new { processId = instanceId, reason = "the edge did not route exactly the current generation" });
            }

            var service = await edge.GetServiceAsync(ServiceNames.For(spec.App, pointers.Env), cancellationToken);
            var health = HealthOf(service, instanceId);
            if (state.State == ProcessState.Running && health == TargetHealth.Healthy)
            {
                if (watch.PendingReason is not null)
                {
                    Journal(RestartDone, generation, new { ok = true, reason = watch.PendingReason, pid = state.Pid });
                    Log.Restarted(logger, instanceId);
                }

                watch.Reset();
                return;
            }

            if (!liveness.RestartsUnhealthy)
            {
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

            if (state.State != ProcessState.Running || health != TargetHealth.Unhealthy)
            {
                return;
            }

            watch.Failures++;
            if (watch.Failures >= FailuresBeforeRestart)
            {
                await RestartAsync(runtime, spec, generation, instanceId, port, $"unhealthy in {watch.Failures} checks in a row", watch, cancellationToken);
            }
        }
        catch (DockerException e)
        {
            Log.DockerCallFailed(logger, e.Message);
        }
    }

    /// <summary>Journals the restart, backs off the next one (1 s doubling to 30 s), then has the runtime start the generation again.</summary>
    private async Task RestartAsync(IAppRuntime runtime, AppSpec spec, Generation generation, string instanceId, int port, string reason,
        Watch watch, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        Log.Restarting(logger, instanceId, reason);
        watch.PendingReason = reason;
        watch.RestartedAt ??= now;
        watch.Backoff = watch.Backoff == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(watch.Backoff.Ticks * 2, MaxBackoff.Ticks));
        watch.NextAttempt = now + watch.Backoff;
        Journal(RestartStart, generation, new { reason, by = "reconciler", backoffMs = (long)watch.Backoff.TotalMilliseconds });

        var restarted = await runtime.RestartAsync(new RuntimeRestart
        {
            Spec = spec, Generation = generation, InstanceId = instanceId, Port = port,
            Release = store.GetRelease(generation.ReleaseId), Secrets = Secrets(spec.App),
        }, cancellationToken);
        if (!restarted)
        {
            Journal(RestartDone, generation, new { ok = false, reason = $"release {generation.ReleaseId} is no longer recorded" });
        }
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

    /// <summary>
    /// The edge's view of one instance: its target's health, or, for an instance with several targets (a swarm
    /// service's tasks, <c>INSTANCE/SLOT</c>), healthy when all are, unhealthy when one is, else unknown.
    /// </summary>
    private static TargetHealth HealthOf(ServiceStatus? service, string instanceId)
    {
        var targets = service?.Targets.Where(t => t.Id == instanceId || t.Id.StartsWith(instanceId + "/", StringComparison.Ordinal)).ToList() ?? [];
        return targets.Count == 0 ? TargetHealth.Unknown
            : targets.All(t => t.Health == TargetHealth.Healthy) ? TargetHealth.Healthy
            : targets.Any(t => t.Health == TargetHealth.Unhealthy) ? TargetHealth.Unhealthy
            : TargetHealth.Unknown;
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

        /// <summary>The runtime was told to keep the instance alive since it became current.</summary>
        public bool KeptAlive { get; set; }

        /// <summary>The instance was found gone and that was journaled (once).</summary>
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

        [LoggerMessage(EventId = 213, Level = LogLevel.Error, Message = "Current {Instance} {InstanceId} of {App}/{Env} is gone from its runtime; deploy again or roll back to replace it")]
        public static partial void InstanceLost(ILogger logger, string instanceId, string instance, string app, string env);

        [LoggerMessage(EventId = 214, Level = LogLevel.Warning, Message = "Docker engine call failed in the reconciler: {Message}")]
        public static partial void DockerCallFailed(ILogger logger, string message);

        [LoggerMessage(EventId = 212, Level = LogLevel.Warning, Message = "Rolling {App}/{Env} back: {Why}")]
        public static partial void RollingBack(ILogger logger, string app, string env, string why);
    }
}
