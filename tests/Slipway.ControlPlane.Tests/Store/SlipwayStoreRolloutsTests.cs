using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Tests.Store;

/// <summary>Rollouts: each step and decision is journaled; operator commands reach only a running rollout, once.</summary>
public sealed class SlipwayStoreRolloutsTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private SlipwayStore Open()
    {
        var store = SlipwayStore.Open(_dir.File("slipway.db"), _time);
        store.UpsertApp("hello", "app: hello\n");
        return store;
    }

    private static Deployment Running(SlipwayStore store, int? canary = null)
    {
        var deployment = store.CreateDeployment(new NewDeployment { App = "hello", CanaryWeight = canary });
        store.StartDeployment(deployment.Id);
        return deployment;
    }

    [Fact]
    public void StartRollout_StepsAndDecisions_AreKeptAndJournaled()
    {
        using var store = Open();
        var deployment = Running(store);
        var seq = store.ReadEvents(0)[^1].Seq;

        store.StartRollout(deployment.Id, [5, 25, 50], hold: false, stableGeneration: 1, canaryGeneration: 2);
        store.SetRolloutStep(deployment.Id, 0, 5);
        store.DecideRollout(deployment.Id, new RolloutDecision
        {
            Step = 0, Weight = 5, Decision = "advance", Reason = "healthy",
            Canary = new WindowFigures { Requests = 120, ErrorRate = 0 }, Stable = new WindowFigures { Requests = 2000 },
        }, RolloutStates.Running);

        var rollout = store.GetRollout(deployment.Id)!;
        Assert.Equal([5, 25, 50], rollout.Steps);
        Assert.Equal((0, 5, RolloutStates.Running), (rollout.Step, rollout.Weight, rollout.State));
        Assert.Equal(["step", "advance"], rollout.Decisions.Select(d => d.Decision));
        Assert.Equal(120, rollout.Decisions[1].Canary!.Requests);
        Assert.Equal(
            [SlipwayStore.RolloutStarted, SlipwayStore.RolloutStep, SlipwayStore.RolloutDecided],
            store.ReadEvents(seq).Select(e => e.Type));
        Assert.Equal(deployment.Id, store.GetOpenRollout("hello", "prod")?.DeploymentId);
    }

    [Fact]
    public void DecideRollout_Aborted_EndsItWithTheReason()
    {
        using var store = Open();
        var deployment = Running(store);
        store.StartRollout(deployment.Id, [10], hold: false, 1, 2);

        store.DecideRollout(deployment.Id, new RolloutDecision { Decision = "abort", Reason = "5xx 20%" }, RolloutStates.Aborted, "5xx 20%");

        var rollout = store.GetRollout(deployment.Id)!;
        Assert.False(rollout.IsOpen);
        Assert.Equal("5xx 20%", rollout.Reason);
        Assert.Null(store.GetOpenRollout("hello", "prod"));
        Assert.Equal(SlipwayStore.RolloutEnded, store.ReadEvents(0)[^1].Type);
    }

    [Fact]
    public void CommandRollout_Running_IsTakenOnce()
    {
        using var store = Open();
        var deployment = Running(store);
        store.StartRollout(deployment.Id, [10, 50], hold: false, 1, 2);

        store.CommandRollout("hello", "prod", "pause");

        Assert.Equal("pause", store.GetRollout(deployment.Id)!.Command);
        Assert.Equal("pause", store.TakeRolloutCommand(deployment.Id));
        Assert.Null(store.TakeRolloutCommand(deployment.Id));
        Assert.Contains(store.ReadEvents(0), e => e.Type == SlipwayStore.RolloutCommand);
    }

    [Fact]
    public void CommandRollout_NoneRunning_IsAConflictThatChangesNothing()
    {
        using var store = Open();
        var events = store.ReadEvents(0);
        var seq = events.Count == 0 ? 0 : events[^1].Seq;

        var error = Assert.Throws<StoreException>(() => store.CommandRollout("hello", "prod", "promote"));

        Assert.Equal(StoreErrorCode.Conflict, error.Code);
        Assert.Contains("No rollout of hello/prod is running", error.Message, StringComparison.Ordinal);
        Assert.Empty(store.ReadEvents(seq));
    }

    [Fact]
    public void CreateDeployment_WithCanary_RecordsAHeldSingleStep()
    {
        using var store = Open();
        var deployment = Running(store, canary: 10);

        var rollout = store.GetRollout(deployment.Id)!;

        Assert.True(rollout.Hold);
        Assert.Equal([10], rollout.Steps);
        Assert.Equal(RolloutStates.Requested, rollout.State);
        // A request is not a running rollout: nothing to steer yet.
        Assert.Throws<StoreException>(() => store.CommandRollout("hello", "prod", "abort"));
    }
}
