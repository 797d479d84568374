using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Reliability;
using Slipway.ControlPlane.Runtime;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Pipeline;

/// <summary>
/// Moves traffic: the edge swaps the service's targets to the validated candidate atomically (it checks
/// the candidate's health itself and refuses an unhealthy one), then current/previous change in one
/// store transaction. The edge answers right after the swap; the drain is the next phase's business.
/// </summary>
internal sealed class ActivatePhase(IEdgeGateway edge, SlipwayStore store, AppRuntimes runtimes)
{
    /// <returns>The generation that was current before, now draining; null on a first deploy.</returns>
    public async Task<long?> ActivateAsync(DeploymentRun run, Candidate candidate, CancellationToken cancellationToken)
    {
        var service = ServiceNames.For(run.App, run.Env);
        var before = store.GetPointers(run.App, run.Env).Current;
        try
        {
            var targets = await runtimes.ForInstance(candidate.ProcessId).TargetsAsync(candidate.ProcessId, candidate.Port, cancellationToken);
            await edge.UpsertServiceAsync(service, ServiceNames.Definition(run.Spec, run.Env), cancellationToken);
            var result = await edge.SetTargetsAsync(service, new SetTargetsRequest
            {
                Targets = targets,
                DeployTimeoutMs = ServiceNames.Milliseconds(run.Spec.Probes.Deadline),
                DrainTimeoutMs = ServiceNames.Milliseconds(run.Spec.Drain.Timeout),
                WaitForDrain = false,
                // Validation (or, for a warm rollback, serving until it was replaced) has proven the
                // candidate; one immediate probe by the edge is enough before the swap.
                RequiredPasses = 1,
            }, cancellationToken);
            run.Log.Append($"activate: traffic moved to generation {candidate.Generation} in {result.SwapMs} ms");
        }
        catch (EdgeUnavailableException e)
        {
            throw new DeployFailedException(DeploymentPhase.Activate, $"the edge refused to route to the candidate: {e.Message}", null, e);
        }

        // From here the candidate serves traffic: the pointer update must not be skipped by a late cancel.
        run.Activated = true;
        // The worst moment to crash: the edge routes the candidate, the store still names the old generation.
        FaultInjection.At("during:activate");
        store.Promote(run.App, run.Env, candidate.Generation, run.Id);
        return before == candidate.Generation ? null : before;
    }
}
