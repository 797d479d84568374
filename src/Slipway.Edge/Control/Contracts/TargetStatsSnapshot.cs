using Slipway.Edge.Observability;

namespace Slipway.Edge.Control.Contracts;

/// <summary>
/// Cumulative figures of one target since it joined the edge (<c>stats</c> of a <see cref="TargetStatus"/>):
/// subtract an earlier snapshot of the same target with <see cref="Since"/> to get a window.
/// <see cref="LatencyCounts"/> holds one count per bucket of <see cref="LatencyBuckets.BoundsMs"/> plus overflow.
/// </summary>
public sealed record TargetStatsSnapshot
{
    public long Requests { get; init; }

    /// <summary>Answers with a status of 500 or more from the target itself.</summary>
    public long Status5xx { get; init; }

    /// <summary>Forwards that failed in transport (connect failure, header timeout, broken exchange): 502/504 from the edge.</summary>
    public long TransportErrors { get; init; }

    public IReadOnlyList<long> LatencyCounts { get; init; } = [];

    /// <summary>(5xx + transport errors) / requests; 0 without requests.</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)(Status5xx + TransportErrors) / Requests;

    public double? P50Ms => LatencyBuckets.Percentile(LatencyCounts, 0.50);

    public double? P99Ms => LatencyBuckets.Percentile(LatencyCounts, 0.99);

    /// <summary>
    /// What happened between <paramref name="earlier"/> and this snapshot. Null when a counter went down: the target
    /// was recreated (an edge restart) and the two snapshots do not describe one history.
    /// </summary>
    public TargetStatsSnapshot? Since(TargetStatsSnapshot earlier)
    {
        if (Requests < earlier.Requests || Status5xx < earlier.Status5xx || TransportErrors < earlier.TransportErrors
            || (earlier.LatencyCounts.Count != 0 && earlier.LatencyCounts.Count != LatencyCounts.Count))
        {
            return null;
        }

        var latency = new long[LatencyCounts.Count];
        for (var i = 0; i < latency.Length; i++)
        {
            latency[i] = LatencyCounts[i] - (earlier.LatencyCounts.Count == 0 ? 0 : earlier.LatencyCounts[i]);
            if (latency[i] < 0)
            {
                return null;
            }
        }

        return new TargetStatsSnapshot
        {
            Requests = Requests - earlier.Requests,
            Status5xx = Status5xx - earlier.Status5xx,
            TransportErrors = TransportErrors - earlier.TransportErrors,
            LatencyCounts = latency,
        };
    }
}
