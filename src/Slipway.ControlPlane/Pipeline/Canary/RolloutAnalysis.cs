using System.Globalization;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Pipeline.Canary;

/// <summary>
/// The rules of docs/rollout.md, pure: from what the edge measured for the canary and the stable generation over the
/// same window, the canary's health, and how long the window has run, decide whether to wait, advance or abort.
/// An abort for errors may come before the pause ends (the figures are already damning); an abort for latency and an
/// advance never do.
/// </summary>
internal static class RolloutAnalysis
{
    /// <summary>Error rates closer than this are treated as equal: 0.1 % against 0.3 % is noise, not a regression.</summary>
    public const double ErrorRateMargin = 0.01;

    /// <summary>
    /// Canary requests a window needs before its p99 is judged. With a few hundred the canary's p99 is one of its handful
    /// of slowest requests while the stable side's, over many more, is a true p99: the canary would look slower than it is.
    /// </summary>
    public const int LatencySamples = 500;

    public static Verdict Judge(AnalysisSpec rules, TargetStatsSnapshot canary, TargetStatsSnapshot stable, TargetHealth canaryHealth, TimeSpan elapsed, TimeSpan pause)
    {
        if (canaryHealth == TargetHealth.Unhealthy)
        {
            return new Verdict(VerdictKind.Abort, "the canary failed its health checks");
        }

        var pauseOver = elapsed >= pause;
        if (canary.Requests < rules.MinRequests)
        {
            if (!pauseOver || elapsed - pause < rules.MaxWait)
            {
                return Verdict.Wait($"the canary answered {canary.Requests} of the {rules.MinRequests} requests needed to judge it");
            }

            var why = $"too little traffic to judge: {canary.Requests} requests on the canary in {Format(elapsed)} (min_requests: {rules.MinRequests})";
            return rules.Inconclusive switch
            {
                "abort" => new Verdict(VerdictKind.Abort, why),
                "pause" => new Verdict(VerdictKind.Pause, why + "; waiting for `slipway rollout APP promote` or `abort`"),
                _ => new Verdict(VerdictKind.Advance, why + "; its health checks pass, so it goes on (inconclusive: advance)"),
            };
        }

        if (canary.ErrorRate > rules.MaxErrorRate)
        {
            return new Verdict(VerdictKind.Abort,
                $"canary error rate {Percent(canary.ErrorRate)} ({Errors(canary)}) is over the ceiling of {Percent(rules.MaxErrorRate)}");
        }

        var stableKnown = stable.Requests >= rules.MinRequests;
        if (stableKnown && canary.ErrorRate - stable.ErrorRate >= ErrorRateMargin && canary.ErrorRate > stable.ErrorRate * rules.MaxErrorRatio)
        {
            return new Verdict(VerdictKind.Abort,
                $"canary error rate {Percent(canary.ErrorRate)} is more than {rules.MaxErrorRatio.ToString(CultureInfo.InvariantCulture)}× the stable {Percent(stable.ErrorRate)}");
        }

        // Latency is judged on the whole window only: a new process's first requests are slow (JIT, cold caches), and in a
        // short window they are the p99.
        if (pauseOver && stableKnown && canary.Requests >= LatencySamples && canary.P99Ms is { } canaryP99 && stable.P99Ms is { } stableP99
            && canaryP99 - stableP99 >= rules.LatencyMargin.TotalMilliseconds && canaryP99 > stableP99 * rules.MaxLatencyRatio)
        {
            return new Verdict(VerdictKind.Abort,
                $"canary p99 latency {Ms(canaryP99)} is {(canaryP99 / stableP99).ToString("0.0", CultureInfo.InvariantCulture)}× the stable {Ms(stableP99)} (max_latency_ratio: {rules.MaxLatencyRatio.ToString(CultureInfo.InvariantCulture)})");
        }

        var summary = $"canary {Percent(canary.ErrorRate)} errors, p99 {Ms(canary.P99Ms)} over {canary.Requests} requests; stable {Percent(stable.ErrorRate)}, p99 {Ms(stable.P99Ms)} over {stable.Requests}";
        return pauseOver ? new Verdict(VerdictKind.Advance, "healthy: " + summary) : Verdict.Wait(summary);
    }

    /// <summary>The figures a decision is journaled with.</summary>
    public static WindowFigures Figures(TargetStatsSnapshot window) => new()
    {
        Requests = window.Requests,
        Errors = window.Status5xx + window.TransportErrors,
        ErrorRate = Math.Round(window.ErrorRate, 4),
        P99Ms = window.P99Ms is { } p ? Math.Round(p, 1) : null,
    };

    private static string Errors(TargetStatsSnapshot s) =>
        string.Create(CultureInfo.InvariantCulture, $"{s.Status5xx} 5xx and {s.TransportErrors} transport errors in {s.Requests} requests");

    private static string Percent(double rate) => (rate * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private static string Ms(double? ms) => ms is { } v ? v.ToString("0.#", CultureInfo.InvariantCulture) + " ms" : "n/a";

    private static string Format(TimeSpan elapsed) => Duration.Format(elapsed);
}
