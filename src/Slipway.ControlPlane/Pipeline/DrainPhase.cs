using Slipway.ControlPlane.Deployments;
using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Pipeline;

/// <summary>
/// Waits until the edge has drained the replaced generation (in-flight requests finished, long-lived
/// streams closed at the drain deadline), then keeps it warm for the rollback window or stops it.
/// Never fails the deploy: traffic has already moved.
/// </summary>
internal sealed class DrainPhase(IEdgeGateway edge, SlipwayStore store, WarmGenerations warm, TimeProvider time)
{
    public async Task DrainAsync(DeploymentRun run, long? replaced, CancellationToken cancellationToken)
    {
        if (replaced is not { } number || store.GetGeneration(run.App, run.Env, number) is not { } old)
        {
            return;
        }

        var service = ServiceNames.For(run.App, run.Env);
        var processId = old.ProcessId ?? Candidate.ProcessIdFor(run.App, run.Env, (int)number);
        var started = time.GetTimestamp();
        var deadline = time.GetUtcNow() + run.Spec.Drain.Timeout + TimeSpan.FromSeconds(10);
        while (time.GetUtcNow() < deadline)
        {
            var status = await edge.GetServiceAsync(service, cancellationToken);
            if (status is null || status.Draining.All(t => t.Id != processId))
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
        }

        run.Log.Append($"drain: generation {number} drained in {time.GetElapsedTime(started).TotalMilliseconds:0} ms");
        if (run.Spec.RollbackWindow > TimeSpan.Zero)
        {
            run.Log.Append($"drain: generation {number} stays warm for {ValidatePhase.Format(run.Spec.RollbackWindow)} for instant rollback");
            warm.Keep(run.App, run.Env, number, time.GetUtcNow() + run.Spec.RollbackWindow);
            warm.StopOthersInBackground(run.App, run.Env, keep: number);
        }
        else
        {
            await warm.StopAsync(run.App, run.Env, number, run.Spec.StopGrace, cancellationToken);
        }
    }
}
