using Slipway.ControlPlane.Pipeline.Canary;
using Slipway.ControlPlane.Spec;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Observability;

namespace Slipway.ControlPlane.Tests.Pipeline.Canary;

public sealed class RolloutAnalysisTests
{
    private static readonly AnalysisSpec Rules = new() { MinRequests = 100, MaxWait = TimeSpan.FromSeconds(30) };
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(10);

    /// <summary>A window of <paramref name="requests"/> answers, <paramref name="errors"/> of them 5xx, all at <paramref name="ms"/>.</summary>
    private static TargetStatsSnapshot Window(long requests, long errors = 0, double ms = 10, long transport = 0)
    {
        var counts = new long[LatencyBuckets.Count];
        counts[LatencyBuckets.IndexOf(ms)] = requests;
        return new TargetStatsSnapshot { Requests = requests, Status5xx = errors, TransportErrors = transport, LatencyCounts = counts };
    }

    private static Verdict Judge(TargetStatsSnapshot canary, TargetStatsSnapshot stable, TimeSpan elapsed, TargetHealth health = TargetHealth.Healthy, AnalysisSpec? rules = null) =>
        RolloutAnalysis.Judge(rules ?? Rules, canary, stable, health, elapsed, Pause);

    [Fact]
    public void Judge_HealthyCanaryAfterThePause_Advances() =>
        Assert.Equal(VerdictKind.Advance, Judge(Window(200), Window(2000), Pause).Kind);

    [Fact]
    public void Judge_HealthyCanaryBeforeThePause_Waits() =>
        Assert.Equal(VerdictKind.Wait, Judge(Window(200), Window(2000), Pause / 2).Kind);

    [Fact]
    public void Judge_ErrorsOverTheCeiling_AbortBeforeThePauseEnds()
    {
        var verdict = Judge(Window(100, errors: 20), Window(2000), TimeSpan.FromSeconds(1));

        Assert.Equal(VerdictKind.Abort, verdict.Kind);
        Assert.Contains("error rate 20%", verdict.Reason, StringComparison.Ordinal);
        Assert.Contains("ceiling of 5%", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_TransportErrors_CountAsErrors() =>
        Assert.Equal(VerdictKind.Abort, Judge(Window(100, transport: 10), Window(2000), Pause).Kind);

    [Fact]
    public void Judge_ErrorsUnderTheCeilingButFarAboveStable_Abort()
    {
        var verdict = Judge(Window(1000, errors: 40), Window(10_000, errors: 100), Pause);

        Assert.Equal(VerdictKind.Abort, verdict.Kind);
        Assert.Contains("2× the stable 1%", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_ErrorsLikeStable_Advance() =>
        Assert.Equal(VerdictKind.Advance, Judge(Window(1000, errors: 30), Window(10_000, errors: 300), Pause).Kind);

    [Fact]
    public void Judge_TinyErrorRatesApart_AreNoise() =>
        // 0.4 % against 0.1 %: four times as many, but under a point apart.
        Assert.Equal(VerdictKind.Advance, Judge(Window(1000, errors: 4), Window(10_000, errors: 10), Pause).Kind);

    [Fact]
    public void Judge_SlowBeforeThePauseEnds_WaitsForTheWholeWindow() =>
        // A new process's first requests are slow; a short window would make them its p99.
        Assert.Equal(VerdictKind.Wait, Judge(Window(200, ms: 300), Window(2000, ms: 20), TimeSpan.FromSeconds(1)).Kind);

    [Fact]
    public void Judge_ThreeTimesSlower_Aborts()
    {
        var verdict = Judge(Window(600, ms: 60), Window(2000, ms: 20), Pause);

        Assert.Equal(VerdictKind.Abort, verdict.Kind);
        Assert.Contains("p99 latency", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_SlowButFewRequests_LatencyIsNotJudged() =>
        // 300 requests: their p99 is one of their three slowest.
        Assert.Equal(VerdictKind.Advance, Judge(Window(300, ms: 300), Window(2000, ms: 20), Pause).Kind);

    [Fact]
    public void Judge_FastAppsMillisecondsApart_AreNotSlower() =>
        // 31 ms against 15 ms: what two identical releases showed on a busy 2-core machine.
        Assert.Equal(VerdictKind.Advance, Judge(Window(200, ms: 31), Window(2000, ms: 15), Pause).Kind);

    [Fact]
    public void Judge_LatencyMarginZero_EveryRatioCounts() =>
        Assert.Equal(VerdictKind.Abort, Judge(Window(600, ms: 40), Window(2000, ms: 15), Pause, rules: Rules with { LatencyMargin = TimeSpan.Zero }).Kind);

    [Fact]
    public void Judge_UnhealthyCanary_AbortsWhateverItsFigures()
    {
        var verdict = Judge(Window(0), Window(0), TimeSpan.Zero, health: TargetHealth.Unhealthy);

        Assert.Equal(VerdictKind.Abort, verdict.Kind);
        Assert.Contains("health checks", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_TooLittleTraffic_WaitsUntilMaxWaitThenTakesTheDefault()
    {
        Assert.Equal(VerdictKind.Wait, Judge(Window(10), Window(100), Pause + Rules.MaxWait - TimeSpan.FromSeconds(1)).Kind);

        var verdict = Judge(Window(10), Window(100), Pause + Rules.MaxWait);
        Assert.Equal(VerdictKind.Advance, verdict.Kind);
        Assert.Contains("too little traffic", verdict.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abort", "Abort")]
    [InlineData("pause", "Pause")]
    public void Judge_TooLittleTraffic_FollowsInconclusive(string mode, string kind) =>
        Assert.Equal(Enum.Parse<VerdictKind>(kind), Judge(Window(10), Window(100), Pause + Rules.MaxWait, rules: Rules with { Inconclusive = mode }).Kind);

    [Fact]
    public void Judge_TooLittleTrafficYetManyErrors_StillWaits() =>
        // 5 of 10 failed, but 10 requests prove nothing yet; the health checks guard meanwhile.
        Assert.Equal(VerdictKind.Wait, Judge(Window(10, errors: 5), Window(1000), Pause).Kind);

    [Fact]
    public void Judge_StableWithoutTraffic_OnlyTheCeilingApplies() =>
        Assert.Equal(VerdictKind.Advance, Judge(Window(200, errors: 4, ms: 50), Window(0), Pause).Kind);

    [Fact]
    public void Figures_Window_AreRoundedForTheJournal()
    {
        var figures = RolloutAnalysis.Figures(Window(300, errors: 1, transport: 1));

        Assert.Equal(300, figures.Requests);
        Assert.Equal(2, figures.Errors);
        Assert.Equal(0.0067, figures.ErrorRate);
        Assert.NotNull(figures.P99Ms);
    }
}
