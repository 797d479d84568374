using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Health;

namespace Slipway.Edge.Tests.Health;

public sealed class HealthTrackerTests
{
    private static readonly HealthCheckDefinition Thresholds = new() { HealthyThreshold = 2, UnhealthyThreshold = 3 };
    private static readonly ProbeResult Pass = new() { Ok = true, Status = 200 };
    private static readonly ProbeResult Fail = new() { Ok = false, Status = 503, Error = "GET /healthz answered 503" };

    [Fact]
    public void RecordProbe_ConsecutivePasses_MakeHealthyAtThreshold()
    {
        var tracker = new HealthTracker();

        Assert.False(tracker.RecordProbe(Pass, Thresholds));
        Assert.Equal(TargetHealth.Unknown, tracker.State);
        Assert.True(tracker.RecordProbe(Pass, Thresholds));
        Assert.Equal(TargetHealth.Healthy, tracker.State);
    }

    [Fact]
    public void RecordProbe_FirstHealthyPassesGiven_HealthyAfterThatManyThenThresholdForRecovery()
    {
        var tracker = new HealthTracker(firstHealthyPasses: 1);

        Assert.True(tracker.RecordProbe(Pass, Thresholds));
        Assert.Equal(TargetHealth.Healthy, tracker.State);

        tracker.RecordProbe(Fail, Thresholds);
        tracker.RecordProbe(Fail, Thresholds);
        tracker.RecordProbe(Fail, Thresholds);
        Assert.Equal(TargetHealth.Unhealthy, tracker.State);
        Assert.False(tracker.RecordProbe(Pass, Thresholds));
        Assert.True(tracker.RecordProbe(Pass, Thresholds));
    }

    [Fact]
    public void RecordProbe_FailureBetweenPasses_ResetsTheCount()
    {
        var tracker = new HealthTracker();

        tracker.RecordProbe(Pass, Thresholds);
        tracker.RecordProbe(Fail, Thresholds);
        tracker.RecordProbe(Pass, Thresholds);

        Assert.Equal(TargetHealth.Unknown, tracker.State);
        Assert.Same(Pass, tracker.LastProbe);
    }

    [Fact]
    public void RecordPassiveFailure_CountsTowardsUnhealthyWithProbeFailures()
    {
        var tracker = new HealthTracker();
        tracker.RecordProbe(Pass, Thresholds);
        tracker.RecordProbe(Pass, Thresholds);

        tracker.RecordPassiveFailure(Thresholds);
        tracker.RecordProbe(Fail, Thresholds);
        Assert.Equal(TargetHealth.Healthy, tracker.State);
        Assert.True(tracker.RecordPassiveFailure(Thresholds));
        Assert.Equal(TargetHealth.Unhealthy, tracker.State);

        tracker.RecordProbe(Pass, Thresholds);
        tracker.RecordProbe(Pass, Thresholds);
        Assert.Equal(TargetHealth.Healthy, tracker.State);
    }
}
