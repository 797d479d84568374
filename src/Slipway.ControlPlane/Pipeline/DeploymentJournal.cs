using Slipway.ControlPlane.Reliability;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Pipeline;

/// <summary>
/// Writes a running deployment's progress to the store, for the app pipeline and the self-deploy pipeline alike: that
/// it started, each phase before that phase's work (with the phase's <c>before:</c> fault point), and how it ended.
/// </summary>
internal sealed class DeploymentJournal(SlipwayStore store, TimeProvider time)
{
    /// <summary>Queued → running.</summary>
    /// <returns>The timestamp <see cref="Finish"/> measures the duration from.</returns>
    public long Start(DeploymentRun run)
    {
        var started = time.GetTimestamp();
        store.StartDeployment(run.Id);
        return started;
    }

    /// <summary>Journals the phase before its work starts, so recovery knows how far a crashed run got.</summary>
    public void Phase(DeploymentRun run, DeploymentPhase phase, string? releaseId = null, long? generation = null)
    {
        store.SetDeploymentPhase(run.Id, phase, releaseId, generation);
        FaultInjection.Before(phase);
    }

    /// <summary>The phase the store says the run is in (what a cancellation interrupted).</summary>
    public DeploymentPhase? CurrentPhase(DeploymentRun run) => store.GetDeployment(run.Id)?.Phase;

    /// <summary>
    /// Ends the run with <paramref name="status"/>: the last line of its log says how it ended and after how long, and
    /// <paramref name="summary"/> is redacted with the run's secrets before it is stored.
    /// </summary>
    public Deployment Finish(DeploymentRun run, DeploymentStatus status, int? exitCode, string? summary, long started)
    {
        var durationMs = Log(run, status, started);
        return store.FinishDeployment(run.Id, status, exitCode, summary is null ? null : run.Log.Redactor.Redact(summary), durationMs);
    }

    /// <summary>Fails a self-deploy whose handoff did not complete (<see cref="SlipwayStore.AbortHandoff"/>).</summary>
    public Deployment AbortHandoff(DeploymentRun run, string summary, long started)
    {
        var durationMs = Log(run, DeploymentStatus.Failed, started);
        store.AbortHandoff(run.Id, run.Log.Redactor.Redact(summary), durationMs);
        return store.GetDeployment(run.Id)!;
    }

    private long Log(DeploymentRun run, DeploymentStatus status, long started)
    {
        var durationMs = (long)time.GetElapsedTime(started).TotalMilliseconds;
        run.Log.Append(status == DeploymentStatus.Succeeded
            ? $"deployment {run.Id} succeeded in {durationMs} ms"
            : $"deployment {run.Id} {StoreNames.ToText(status)} after {durationMs} ms");
        return durationMs;
    }
}
