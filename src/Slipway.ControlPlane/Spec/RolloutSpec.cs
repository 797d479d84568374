namespace Slipway.ControlPlane.Spec;

/// <summary>
/// <c>rollout:</c> of <c>slipway.yml</c> (docs/rollout.md): the validated candidate first gets each step's share of new
/// sessions for <see cref="Pause"/>, and the analysis decides after each pause whether to go on or abort. Absent: the
/// whole service swaps at once, as without a rollout.
/// </summary>
public sealed record RolloutSpec
{
    /// <summary>Percentages (1–100) of new sessions on the candidate, strictly increasing.</summary>
    public IReadOnlyList<int> Steps { get; init; } = [];

    /// <summary>How long each step runs before the analysis decides.</summary>
    public TimeSpan Pause { get; init; } = TimeSpan.FromMinutes(2);

    public AnalysisSpec Analysis { get; init; } = new();
}

/// <summary><c>rollout.analysis</c>: the rules that compare the canary with the stable generation over the same window.</summary>
public sealed record AnalysisSpec
{
    /// <summary>Requests the canary must have answered in the window before its figures decide anything.</summary>
    public int MinRequests { get; init; } = 100;

    /// <summary>How long past the pause to wait for <see cref="MinRequests"/>; then <see cref="Inconclusive"/> applies.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary><c>advance</c>, <c>abort</c> or <c>pause</c> (wait for a person) when traffic stayed too low.</summary>
    public string Inconclusive { get; init; } = "advance";

    /// <summary>Ceiling of the canary's error rate (5xx answers and transport errors over requests), 0–1.</summary>
    public double MaxErrorRate { get; init; } = 0.05;

    /// <summary>The canary's error rate may be at most this many times the stable one's (when they differ by a point or more).</summary>
    public double MaxErrorRatio { get; init; } = 2;

    /// <summary>The canary's p99 latency may be at most this many times the stable one's.</summary>
    public double MaxLatencyRatio { get; init; } = 2;

    /// <summary>
    /// p99 latencies closer than this are treated as equal: a fast app's p99 moves by more than 2× on a busy machine or
    /// while a new process warms up, and a regression that small is not worth an abort.
    /// </summary>
    public TimeSpan LatencyMargin { get; init; } = TimeSpan.FromMilliseconds(25);
}
