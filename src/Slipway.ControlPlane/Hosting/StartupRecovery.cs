using System.Text.RegularExpressions;
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
/// started, and makes the edge route exactly the current generation of each app. Idempotent: running it twice
/// changes nothing the second time. Containers outlive the control plane and the edge: running ones are adopted
/// as they are (same container), and Slipway containers no generation accounts for are reported, never killed.
/// </summary>
/// <remarks>
/// A crash between the edge's route swap and the promotion transaction leaves the edge routing the candidate
/// while the store still names the old generation. The edge wins then: the candidate was validated (its
/// deployment journaled <c>deploy.phase activate</c> with it) and the edge, which checks health before it swaps,
/// accepted it, so recovery records the promotion and the deployment succeeds ("rolled forward"). In every
/// other case the store wins and the edge is made to match it.
/// </remarks>
internal sealed partial class StartupRecovery(SlipwayStore store, IEdgeGateway edge, AppRuntimes runtimes, ILogger<StartupRecovery> logger)
{
    public const string RolledForward = "recovery.rolled_forward";
    public const string OrphanStopped = "recovery.orphan_stopped";
    public const string Completed = "recovery.done";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var processes = (await edge.ListProcessesAsync(cancellationToken)).ToDictionary(p => p.Id, StringComparer.Ordinal);
        var interrupted = 0;
        foreach (var deployment in store.ListUnfinishedDeployments())
        {
            interrupted++;
            await EndInterruptedAsync(deployment, processes, cancellationToken);
        }

        foreach (var generation in store.ListLiveGenerations())
        {
            var processId = ProcessIdOf(generation);
            if (generation.State is GenerationState.Starting or GenerationState.Validating)
            {
                await StopCandidateAsync(generation, cancellationToken);
                store.SetGenerationState(generation.App, generation.Env, generation.Number, GenerationState.Failed);
            }
            else if (generation.State == GenerationState.Warm && !DockerRuntime.IsContainerId(processId) && !processes.ContainsKey(processId))
            {
                // A warm generation whose process is gone can no longer give an instant rollback.
                store.SetGenerationState(generation.App, generation.Env, generation.Number, GenerationState.Stopped);
            }
        }

        var orphans = await StopOrphansAsync(processes.Values, cancellationToken);
        await AdoptContainersAsync(cancellationToken);

        foreach (var app in store.ListApps())
        {
            AppSpec spec;
            try
            {
                spec = AppSpecParser.Parse(app.SpecYaml, $"{app.Name}/slipway.yml");
            }
            catch (SpecException)
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

    private async Task EndInterruptedAsync(Deployment deployment, Dictionary<string, ProcessStatus> processes, CancellationToken cancellationToken)
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

        if (deployment.Phase == "activate" && deployment.Generation is { } number
            && store.GetGeneration(deployment.App, deployment.Env, number) is { State: GenerationState.Validating or GenerationState.Warm } candidate
            && await EdgeRoutesOnlyAsync(deployment.App, deployment.Env, ProcessIdOf(candidate), processes, cancellationToken))
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
            AppSpec? spec = null;
            try
            {
                spec = AppSpecParser.Parse(app.SpecYaml, $"{app.Name}/slipway.yml");
            }
            catch (SpecException)
            {
                // Drain with the defaults below.
            }

            // Waits for the canary's in-flight requests: its process is stopped right after, with the other candidates.
            await edge.SetTargetsAsync(ServiceNames.For(deployment.App, deployment.Env), new SetTargetsRequest
            {
                Targets = [new TargetDefinition { Id = processId, Url = $"http://127.0.0.1:{port}" }],
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

    private async Task<bool> EdgeRoutesOnlyAsync(string app, string env, string processId, Dictionary<string, ProcessStatus> processes, CancellationToken cancellationToken)
    {
        if (!processes.TryGetValue(processId, out var process) || process.State != "running")
        {
            return false;
        }

        var status = await edge.GetServiceAsync(ServiceNames.For(app, env), cancellationToken);
        return status is not null && status.Targets.Count == 1 && status.Targets[0].Id == processId && status.Canary.Count == 0;
    }

    /// <summary>Stops app processes (<c>APP-ENV-gN</c>) the edge supervises but the store does not consider live.</summary>
    private async Task<int> StopOrphansAsync(IEnumerable<ProcessStatus> processes, CancellationToken cancellationToken)
    {
        var live = store.ListLiveGenerations().Select(ProcessIdOf).ToHashSet(StringComparer.Ordinal);
        var stopped = 0;
        foreach (var process in processes)
        {
            if (!GenerationProcess().IsMatch(process.Id) || live.Contains(process.Id))
            {
                continue;
            }

            await edge.StopProcessAsync(process.Id, TimeSpan.FromSeconds(5), cancellationToken);
            store.AppendEvent(OrphanStopped, null, null, null, new { processId = process.Id, pid = process.Pid });
            Log.OrphanStopped(logger, process.Id);
            stopped++;
        }

        return stopped;
    }

    private async Task StopCandidateAsync(Generation generation, CancellationToken cancellationToken)
    {
        var id = generation.ProcessId ?? Candidate.ProcessIdFor(generation.App, generation.Env, (int)generation.Number);
        try
        {
            await runtimes.StopAsync(id, TimeSpan.FromSeconds(5), cancellationToken);
            if (generation.ProcessId is null || !DockerRuntime.IsContainerId(generation.ProcessId))
            {
                // A container created just before the crash may not have reached the store yet: find it by its labels.
                foreach (var container in await ContainersOfAsync(generation, cancellationToken))
                {
                    await runtimes.Docker.StopAsync(container.Id, TimeSpan.FromSeconds(5), cancellationToken);
                }
            }
        }
        catch (DockerException e)
        {
            Log.DockerCallFailed(logger, e.Message);
        }
    }

    private async Task<IReadOnlyList<ContainerSummary>> ContainersOfAsync(Generation generation, CancellationToken cancellationToken) =>
        store.GetApp(generation.App) is { } app && app.SpecYaml.Contains("docker", StringComparison.Ordinal)
            ? await runtimes.Docker.Engine.ListContainersAsync(
            [
                $"{DockerLabels.Owner}={runtimes.Docker.Owner}", $"{DockerLabels.App}={generation.App}", $"{DockerLabels.Env}={generation.Env}",
                $"{DockerLabels.Generation}={generation.Number}",
            ], cancellationToken)
            : [];

    /// <summary>Live container generations keep their containers; a stopped one is started again (same container); strangers are reported.</summary>
    private async Task AdoptContainersAsync(CancellationToken cancellationToken)
    {
        var live = store.ListLiveGenerations().Where(g => g.ProcessId is { } id && DockerRuntime.IsContainerId(id)).ToDictionary(g => g.ProcessId!, StringComparer.Ordinal);
        IReadOnlyList<ContainerSummary> containers;
        // A hung engine must not keep the control plane from becoming ready for process apps.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            containers = await runtimes.Docker.Engine.ListContainersAsync([$"{DockerLabels.Owner}={runtimes.Docker.Owner}"], timeout.Token);
        }
        catch (Exception e) when (e is DockerException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            if (live.Count > 0)
            {
                Log.DockerCallFailed(logger, e is DockerException ? e.Message : "the engine did not answer within 15 s");
            }

            return;
        }

        foreach (var container in containers)
        {
            if (!live.Remove(container.Id, out var generation))
            {
                Log.UnknownContainer(logger, DockerEngine.Short(container.Id), container.Labels.GetValueOrDefault(DockerLabels.App) ?? "?",
                    container.Labels.GetValueOrDefault(DockerLabels.Generation) ?? "?");
                continue;
            }

            if (container.State == "running")
            {
                Log.Adopted(logger, DockerEngine.Short(container.Id), generation.App, generation.Env, generation.Number);
                continue;
            }

            Log.Restarting(logger, DockerEngine.Short(container.Id), generation.App, generation.Env, generation.Number, container.State);
            try
            {
                await runtimes.Docker.Engine.StartContainerAsync(container.Id, cancellationToken);
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
        var status = await edge.GetServiceAsync(service, cancellationToken);
        // A canary split left behind (a rollout that no deployment runs any more) counts as a wrong route too.
        if (status is not null && status.Targets.Count == 1 && status.Targets[0].Id == processId && status.Canary.Count == 0)
        {
            return false;
        }

        Log.RouteRepaired(logger, service, processId);
        await edge.UpsertServiceAsync(service, ServiceNames.Definition(spec, env), cancellationToken);
        await edge.SetTargetsAsync(service, new SetTargetsRequest
        {
            Targets = [new TargetDefinition { Id = processId, Url = $"http://127.0.0.1:{port}" }],
            DeployTimeoutMs = ServiceNames.Milliseconds(spec.Probes.Deadline),
            DrainTimeoutMs = ServiceNames.Milliseconds(spec.Drain.Timeout),
            WaitForDrain = false,
        }, cancellationToken);
        return true;
    }

    private static string ProcessIdOf(Generation generation) =>
        generation.ProcessId ?? Candidate.ProcessIdFor(generation.App, generation.Env, (int)generation.Number);

    [GeneratedRegex("^[a-z][a-z0-9-]*-g[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex GenerationProcess();

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Deployment {Id} was interrupted during {Phase}; marked failed")]
        public static partial void Interrupted(ILogger logger, string id, string phase);

        [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Edge route of {Service} did not point at the current generation {ProcessId}; repaired")]
        public static partial void RouteRepaired(ILogger logger, string service, string processId);

        [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Deployment {Id} was interrupted during {Phase} after its promotion; marked succeeded")]
        public static partial void Finished(ILogger logger, string id, string phase);

        [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Deployment {Id}: the edge already routed generation {Generation}; promotion recorded (rolled forward)")]
        public static partial void RolledForward(ILogger logger, string id, long generation);

        [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Stopped orphan process {ProcessId}: no live generation owns it")]
        public static partial void OrphanStopped(ILogger logger, string processId);

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
