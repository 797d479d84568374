using Slipway.ControlPlane.Deployments;

namespace Slipway.ControlPlane.Tests.Deployments;

public sealed class DeploymentQueueTests
{
    [Fact]
    public void Enqueue_NothingRunning_StartsNow()
    {
        var queue = new DeploymentQueue();

        var decision = queue.Enqueue("hello", "rev:a", () => "d1");

        Assert.Equal(EnqueueOutcome.StartNow, decision.Outcome);
        Assert.Equal("d1", queue.RunningId("hello"));
    }

    [Fact]
    public void Enqueue_SameKeyAsRunningOrQueued_Coalesces()
    {
        var queue = new DeploymentQueue();
        queue.Enqueue("hello", "rev:a", () => "d1");
        queue.Enqueue("hello", "rev:b", () => "d2");

        Assert.Equal(new EnqueueDecision(EnqueueOutcome.Coalesced, "d1", null), queue.Enqueue("hello", "rev:a", () => "d3"));
        Assert.Equal(new EnqueueDecision(EnqueueOutcome.Coalesced, "d2", null), queue.Enqueue("hello", "rev:b", () => "d4"));
        Assert.Equal("d2", queue.QueuedId("hello"));
    }

    [Fact]
    public void Enqueue_OtherKeyWhileOneWaits_SupersedesTheWaitingOne()
    {
        var queue = new DeploymentQueue();
        queue.Enqueue("hello", "rev:a", () => "d1");
        queue.Enqueue("hello", "rev:b", () => "d2");

        var decision = queue.Enqueue("hello", "rev:c", () => "d3");

        Assert.Equal(new EnqueueDecision(EnqueueOutcome.Queued, "d3", "d2"), decision);
        Assert.Equal("d1", queue.RunningId("hello"));
        Assert.Equal("d3", queue.QueuedId("hello"));
    }

    [Fact]
    public void Complete_WithAWaitingOne_PromotesItToRunning()
    {
        var queue = new DeploymentQueue();
        queue.Enqueue("hello", "rev:a", () => "d1");
        queue.Enqueue("hello", "rev:b", () => "d2");

        Assert.Equal("d2", queue.Complete("hello", "d1"));
        Assert.Equal("d2", queue.RunningId("hello"));
        Assert.Null(queue.QueuedId("hello"));
        Assert.Null(queue.Complete("hello", "d2"));
        Assert.Null(queue.RunningId("hello"));
    }

    [Fact]
    public void Enqueue_DifferentApps_RunConcurrently()
    {
        var queue = new DeploymentQueue();

        Assert.Equal(EnqueueOutcome.StartNow, queue.Enqueue("a", "rev:x", () => "d1").Outcome);
        Assert.Equal(EnqueueOutcome.StartNow, queue.Enqueue("b", "rev:x", () => "d2").Outcome);
    }

    [Fact]
    public void RemoveQueued_RunningOne_IsRefused()
    {
        var queue = new DeploymentQueue();
        queue.Enqueue("hello", "rev:a", () => "d1");
        queue.Enqueue("hello", "rev:b", () => "d2");

        Assert.False(queue.RemoveQueued("hello", "d1"));
        Assert.True(queue.RemoveQueued("hello", "d2"));
        Assert.Null(queue.QueuedId("hello"));
    }

    [Fact]
    public void Enqueue_AfterCompletion_SameKeyStartsAgain()
    {
        var queue = new DeploymentQueue();
        queue.Enqueue("hello", "rev:a", () => "d1");
        queue.Complete("hello", "d1");

        Assert.Equal(EnqueueOutcome.StartNow, queue.Enqueue("hello", "rev:a", () => "d2").Outcome);
    }
}
