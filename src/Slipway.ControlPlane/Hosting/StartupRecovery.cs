using Microsoft.Extensions.Logging;
using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Runtime;
using Slipway.ControlPlane.Runtime.Docker;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Hosting;

/// <summary>
/// Runs before the control plane reports ready (docs/architecture.md §6): ends every deployment a previous instance left
/// unfinished, finishes an activation the edge already carried out, stops the candidates and orphans it had
/// started, lets each runtime square its instances with the store (<see cref="IAppRuntime.RecoverAsync"/>: process
/// orphans are stopped; containers, which outlive the control plane and the edge, are adopted as they are and
/// strangers reported, never killed), and makes the edge route exactly the current generation of each app.
/// Idempotent: running it twice changes nothing the second time.
/// </summary>
/// <remarks>
/// A crash between the edge's route swap and the promotion transaction leaves the edge routing the candidate
/// while the store still names the old generation. The edge wins then: the candidate was validated (its
/// deployment journaled <c>deploy.phase activate</c> with it) and the edge, which checks health before it swaps,
/// accepted it, so recovery records the promotion and the deployment succeeds ("rolled forward"). In every
/// other case the store wins and the edge is made to match it.
/// </remarks>
internal sealed partial class StartupRecovery(SlipwayStore store, AppCatalog specs, IEdgeGateway edge, AppRuntimes runtimes, ILogger<StartupRecovery> logger)
{
    public const string RolledForward = "recovery.rolled_forward";
    public const string OrphanStopped = ProcessRuntime.OrphanStopped;
    public const string Completed = "recovery.done";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var interrupted = 0;
        foreach (var deployment in store.ListUnfinishedDeployments())
        {
            interrupted++;
            await EndInterruptedAsync(deployment, cancellationToken);
        }

        foreach (var generation in store.ListLiveGenerations())
        {
            if (generation.State is GenerationState.Starting or GenerationState.Validating)
            {
                await StopCandidateAsync(generation, cancellationToken);
                store.SetGenerationState(generation.App, generation.Env, generation.Number, GenerationState.Failed);
            }
        }

        // Each runtime squares its own instances with the live generations: warm processes that are gone, orphans, containers to adopt.
        var orphans = 0;
        foreach (var runtime in runtimes.All)
        {
            orphans += await runtime.RecoverAsync(logger, cancellationToken);
        }

        foreach (var app in store.ListApps())
        {
            if (specs.TryOf(app) is not { } spec)
            {
                continue;
            }

            foreach (var env in spec.App == SelfDeploy.SelfApp.Name ? [] : spec.Environments)
            {
                // The control plane itself is routed on the admin listener (SelfDeploy.CandidateHandoff), not as an app service.
                await RouteCurrentAsync(spec, env, cancellationToken);
            }
        }

        if (interrupted > 0 || orphans > 0)
        {
            store.AppendEvent(Completed, null, null, null, new { interruptedDeployments = interrupted, orphansStopped = orphans });
        }
    }

    private async Task EndInterruptedAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        var pointers = store.GetPointers(deployment.App, deployment.Env);
        if (deployment.Generation is { } g && pointers.Current == g)
        {
            // Promotion committed; only draining (or recording the end) was left. The replaced generation
            // stays warm and the background loop stops it when its rollback window ends.
            CompleteRollout(deployment.Id);
            store.FinishDeployment(deployment.Id, DeploymentStatus.Succeeded, 0, null, null);
            Log.Finished(logger, deployment.Id, deployment.Phase);
            return;
        }

        if (deployment.Phase == DeploymentPhase.Activate && deployment.Generation is { } number
            && store.GetGeneration(deployment.App, deployment.Env, number) is { State: GenerationState.Validating or GenerationState.Warm } candidate
            && await EdgeRoutesOnlyAsync(candidate, cancellationToken))
        {
            store.Promote(deployment.App, deployment.Env, number, deployment.Id);
            store.AppendEvent(RolledForward, deployment.App, deployment.Env, deployment.Id, new
            {
                generation = number,
                previous = pointers.Current,
                reason = "the edge already routed the validated candidate when the control plane stopped; the promotion was recorded on recovery",
            });
            CompleteRollout(deployment.Id);
            store.FinishDeployment(deployment.Id, DeploymentStatus.Succeeded, 0, null, null);
            Log.RolledForward(logger, deployment.Id, number);
            return;
        }

        if (store.GetRollout(deployment.Id) is { IsOpen: true, State: not RolloutStates.Requested } rollout)
        {
            await EndInterruptedRolloutAsync(deployment, rollout, cancellationToken);
            return;
        }

        var serving = pointers.Current is { } c ? $"generation {c} keeps serving" : "nothing was serving yet";
        store.FinishDeployment(deployment.Id, DeploymentStatus.Failed, 1,
            $"{deployment.Phase}: interrupted: the control plane stopped during this deployment; {serving}. Deploy again.", null);
        Log.Interrupted(logger, deployment.Id, deployment.Phase);
    }

    /// <summary>
    /// A rollout the previous instance left mid-way is aborted, never resumed: no one watched the canary meanwhile, so its
    /// share is taken back first (the edge routes only the stable generation, which is still <c>current</c>), then the
    /// journal says so and the deployment fails; the candidate is stopped with the other unfinished candidates.
    /// </summary>
    private async Task EndInterruptedRolloutAsync(Deployment deployment, Rollout rollout, CancellationToken cancellationToken)
    {
        if (store.GetApp(deployment.App) is { } app && rollout.StableGeneration is { } stable
            && store.GetGeneration(deployment.App, deployment.Env, stable) is { ProcessId: { } processId, Port: { } port })
        {
            // Null when the stored spec does not parse: drain with the defaults below.
            var spec = specs.TryOf(app);

            // Waits for the canary's in-flight requests: its process is stopped right after, with the other candidates.
            await edge.SetTargetsAsync(ServiceNames.For(deployment.App, deployment.Env), new SetTargetsRequest
            {
                Targets = await runtimes.ForInstance(processId).TargetsAsync(processId, port, cancellationToken),
                DeployTimeoutMs = ServiceNames.Milliseconds((spec?.Probes ?? new ProbeSpec()).Deadline),
                DrainTimeoutMs = ServiceNames.Milliseconds((spec?.Drain ?? new DrainSpec()).Timeout),
                WaitForDrain = true,
                RequiredPasses = 1,
            }, cancellationToken);
        }

        var reason = $"interrupted at step {rollout.Step + 1} ({rollout.Weight}%): the control plane stopped mid-rollout; "
            + $"all traffic is back on generation {rollout.StableGeneration}. Deploy again.";
        store.DecideRollout(deployment.Id, new RolloutDecision
        {
            Step = Math.Max(rollout.Step, 0), Weight = rollout.Weight, Decision = "abort", Reason = reason, By = "recovery",
        }, RolloutStates.Aborted, reason);
        store.FinishDeployment(deployment.Id, DeploymentStatus.Failed, 1, "rollout: " + reason, null);
        Log.Interrupted(logger, deployment.Id, deployment.Phase);
    }

    /// <summary>The final swap of a rollout had happened when the control plane stopped: the rollout is complete.</summary>
    private void CompleteRollout(string deploymentId)
    {
        if (store.GetRollout(deploymentId) is { IsOpen: true, State: not RolloutStates.Requested } rollout)
        {
            store.DecideRollout(deploymentId, new RolloutDecision
            {
                Step = Math.Max(rollout.Step, 0), Weight = rollout.Weight, Decision = "done", By = "recovery",
                Reason = "the candidate already took all traffic when the control plane stopped",
            }, RolloutStates.Promoted);
        }
    }

    /// <summary>The candidate's instance runs and the edge routes it alone (no canary split).</summary>
    private async Task<bool> EdgeRoutesOnlyAsync(Generation candidate, CancellationToken cancellationToken)
    {
        var instanceId = ProcessIdOf(candidate);
        var runtime = runtimes.ForInstance(instanceId);
        // A hung engine must not keep the control plane from becoming ready; without its word the store wins.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        InstanceState? state;
        try
        {
            state = await runtime.GetStateAsync(instanceId, timeout.Token);
        }
        catch (Exception e) when (e is DockerException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Log.DockerCallFailed(logger, e is DockerException ? e.Message : "the engine did not answer within 15 s");
            return false;
        }

        if (candidate.Port is not { } port || state is not { State: ProcessState.Running })
        {
            return false;
        }

        var status = await edge.GetServiceAsync(ServiceNames.For(candidate.App, candidate.Env), cancellationToken);
        return status is not null && status.Canary.Count == 0 && RoutesExactly(status, await runtime.TargetsAsync(instanceId, port, cancellationToken));
    }

    private async Task StopCandidateAsync(Generation generation, CancellationToken cancellationToken)
    {
        var id = ProcessIdOf(generation);
        try
        {
            await runtimes.ForInstance(id).StopAsync(id, TimeSpan.FromSeconds(5), cancellationToken);
            // The spec's runtime may have started an instance whose id never reached the store before the crash.
            if (specs.TryFind(generation.App)?.Runtime is { } kind && runtimes.For(kind) is var runtime
                && (generation.ProcessId is null || !runtime.Owns(generation.ProcessId)))
            {
                await runtime.StopUnrecordedAsync(generation, cancellationToken);
            }
        }
        catch (DockerException e)
        {
            Log.DockerCallFailed(logger, e.Message);
        }
    }


    /// <summary>Makes the edge route exactly the current generation of (app, env); true when it had to repair the route.</summary>
    public async Task<bool> RouteCurrentAsync(AppSpec spec, string env, CancellationToken cancellationToken)
    {
        var current = store.GetPointers(spec.App, env).Current;
        if (current is null || store.GetGeneration(spec.App, env, current.Value) is not { ProcessId: { } processId, Port: { } port })
        {
            return false;
        }

        var service = ServiceNames.For(spec.App, env);
        var targets = await runtimes.ForInstance(processId).TargetsAsync(processId, port, cancellationToken);
        var status = await edge.GetServiceAsync(service, cancellationToken);
        // A canary split left behind (a rollout that no deployment runs any more) counts as a wrong route too.
        if (status is not null && status.Canary.Count == 0 && RoutesExactly(status, targets))
        {
            return false;
        }

        Log.RouteRepaired(logger, service, processId);
        await edge.UpsertServiceAsync(service, ServiceNames.Definition(spec, env), cancellationToken);
        await edge.SetTargetsAsync(service, new SetTargetsRequest
        {
            Targets = targets,
            DeployTimeoutMs = ServiceNames.Milliseconds(spec.Probes.Deadline),
            DrainTimeoutMs = ServiceNames.Milliseconds(spec.Drain.Timeout),
            WaitForDrain = false,
        }, cancellationToken);
        return true;
    }

    /// <summary>The edge's targets are exactly the generation's, by id (the edge uses the URL as the id of a target without one).</summary>
    private static bool RoutesExactly(ServiceStatus status, IReadOnlyList<TargetDefinition> targets) =>
        status.Targets.Count == targets.Count && status.Targets.Select(t => t.Id).ToHashSet(StringComparer.Ordinal).SetEquals(targets.Select(t => t.Id ?? t.Url));

    private static string ProcessIdOf(Generation generation) =>
        generation.ProcessId ?? Candidate.ProcessIdFor(generation.App, generation.Env, (int)generation.Number);

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Deployment {Id} was interrupted during {Phase}; marked failed")]
        public static partial void Interrupted(ILogger logger, string id, DeploymentPhase phase);

        [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Edge route of {Service} did not point at the current generation {ProcessId}; repaired")]
        public static partial void RouteRepaired(ILogger logger, string service, string processId);

        [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Deployment {Id} was interrupted during {Phase} after its promotion; marked succeeded")]
        public static partial void Finished(ILogger logger, string id, DeploymentPhase phase);

        [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Deployment {Id}: the edge already routed generation {Generation}; promotion recorded (rolled forward)")]
        public static partial void RolledForward(ILogger logger, string id, long generation);

        [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "Docker engine call failed during recovery: {Reason}")]
        public static partial void DockerCallFailed(ILogger logger, string reason);
    }
}
