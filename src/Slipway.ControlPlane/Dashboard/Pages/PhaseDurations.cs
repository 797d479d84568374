using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Dashboard.Pages;

/// <summary>How long each phase of a deployment took, from the times it entered them (the last one runs to its end, or to now).</summary>
internal static class PhaseDurations
{
    /// <summary>The pipeline's phases in order (docs/architecture.md §3); a rollback or promotion skips the first ones.</summary>
    public static readonly IReadOnlyList<DeploymentPhase> Order =
    [
        DeploymentPhase.Source, DeploymentPhase.Build, DeploymentPhase.Release, DeploymentPhase.Migrate, DeploymentPhase.Start,
        DeploymentPhase.Validate, DeploymentPhase.Activate, DeploymentPhase.Drain,
    ];

    public static IReadOnlyList<(DeploymentPhase Phase, DateTimeOffset Began, long? Ms)> Of(Deployment d, DateTimeOffset now)
    {
        var entered = d.PhaseTimes.Where(p => p.Key != DeploymentPhase.Done && p.Key != DeploymentPhase.Queued).OrderBy(p => p.Value).ToList();
        var result = new List<(DeploymentPhase, DateTimeOffset, long?)>();
        for (var i = 0; i < entered.Count; i++)
        {
            var end = i + 1 < entered.Count ? entered[i + 1].Value
                : d.FinishedAt ?? (d.Status == DeploymentStatus.Running ? now : (DateTimeOffset?)null);
            result.Add((entered[i].Key, entered[i].Value, end is { } e ? (long)Math.Max(0, (e - entered[i].Value).TotalMilliseconds) : null));
        }

        return result;
    }
}
