using Microsoft.Extensions.Logging;
using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Hosting;

/// <summary>
/// Runs once before the control plane reports ready: ends every deployment a previous instance left
/// unfinished, stops the candidates it had started, and makes the edge route exactly the current
/// generation of each app (DESIGN §6). Idempotent: running it twice changes nothing the second time.
/// </summary>
internal sealed partial class StartupRecovery(SlipwayStore store, IEdgeGateway edge, ILogger<StartupRecovery> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var deployment in store.ListUnfinishedDeployments())
        {
            var pointers = store.GetPointers(deployment.App, deployment.Env);
            if (deployment.Generation is { } g && pointers.Current == g)
            {
                store.FinishDeployment(deployment.Id, DeploymentStatus.Succeeded, 0, null, null);
                continue;
            }

            store.FinishDeployment(deployment.Id, DeploymentStatus.Failed, 1,
                $"{deployment.Phase}: interrupted: the control plane stopped during this deployment; the serving generation is untouched. Deploy again.", null);
            Log.Interrupted(logger, deployment.Id, deployment.Phase);
        }

        foreach (var generation in store.ListLiveGenerations())
        {
            if (generation.State is GenerationState.Starting or GenerationState.Validating)
            {
                await edge.StopProcessAsync(generation.ProcessId ?? Candidate.ProcessIdFor(generation.App, generation.Env, (int)generation.Number), TimeSpan.FromSeconds(5), cancellationToken);
                store.SetGenerationState(generation.App, generation.Env, generation.Number, GenerationState.Failed);
            }
        }

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

            foreach (var env in spec.Environments)
            {
                await RouteCurrentAsync(spec, env, cancellationToken);
            }
        }
    }

    private async Task RouteCurrentAsync(AppSpec spec, string env, CancellationToken cancellationToken)
    {
        var current = store.GetPointers(spec.App, env).Current;
        if (current is null || store.GetGeneration(spec.App, env, current.Value) is not { ProcessId: { } processId, Port: { } port })
        {
            return;
        }

        var service = ServiceNames.For(spec.App, env);
        var status = await edge.GetServiceAsync(service, cancellationToken);
        if (status is not null && status.Targets.Count == 1 && status.Targets[0].Id == processId)
        {
            return;
        }

        Log.RouteRepaired(logger, service, processId);
        await edge.UpsertServiceAsync(service, ServiceNames.Definition(spec), cancellationToken);
        await edge.SetTargetsAsync(service, new SetTargetsRequest
        {
            Targets = [new TargetDefinition { Id = processId, Url = $"http://127.0.0.1:{port}" }],
            DeployTimeoutMs = ServiceNames.Milliseconds(spec.Probes.Deadline),
            DrainTimeoutMs = ServiceNames.Milliseconds(spec.Drain.Timeout),
            WaitForDrain = false,
        }, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Deployment {Id} was interrupted during {Phase}; marked failed")]
        public static partial void Interrupted(ILogger logger, string id, string phase);

        [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Edge route of {Service} did not point at the current generation {ProcessId}; repaired")]
        public static partial void RouteRepaired(ILogger logger, string service, string processId);
    }
}
