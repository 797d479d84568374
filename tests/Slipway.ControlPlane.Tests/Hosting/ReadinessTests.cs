using Slipway.ControlPlane.Hosting;

namespace Slipway.ControlPlane.Tests.Hosting;

/// <summary>
/// docs/self-deploy.md: a request that needs a ready leader and reaches a self-deploy candidate before it leads waits
/// (bounded) for the handoff instead of being refused; any other instance that is not ready answers at once.
/// </summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task CandidateTakingOver_WaitAnswersWhenItBecomesReady()
    {
        var readiness = new Readiness();
        readiness.MarkCandidate();
        readiness.MarkFollower();

        var waiting = readiness.WaitUntilReadyAsync(TimeSpan.FromMinutes(5), TimeProvider.System, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        readiness.MarkRecovering();
        Assert.False(waiting.IsCompleted);
        readiness.MarkReady();

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task CandidateThatNeverLeads_WaitEndsFalseAtItsBound()
    {
        var readiness = new Readiness();
        readiness.MarkCandidate();
        readiness.MarkFollower();

        Assert.False(await readiness.WaitUntilReadyAsync(TimeSpan.FromMilliseconds(50), TimeProvider.System, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(readiness.Ready);
    }

    [Fact]
    public async Task NotACandidate_DoesNotWait()
    {
        var readiness = new Readiness();
        readiness.MarkFollower();

        var waiting = readiness.WaitUntilReadyAsync(TimeSpan.FromMinutes(5), TimeProvider.System, CancellationToken.None);

        Assert.True(waiting.IsCompleted);
        Assert.False(await waiting);
    }

    [Fact]
    public async Task CandidateStopping_WaitEndsAtOnce()
    {
        var readiness = new Readiness();
        readiness.MarkCandidate();
        readiness.MarkFollower();
        var waiting = readiness.WaitUntilReadyAsync(TimeSpan.FromMinutes(5), TimeProvider.System, CancellationToken.None);

        readiness.MarkDraining();

        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task LeaderAfterHandoff_NoLongerWaitsWhenItYieldsAgain()
    {
        var readiness = new Readiness();
        readiness.MarkCandidate();
        readiness.MarkReady();
        readiness.MarkFollower(); // the next self-deploy replaces it

        var waiting = readiness.WaitUntilReadyAsync(TimeSpan.FromMinutes(5), TimeProvider.System, CancellationToken.None);

        Assert.True(waiting.IsCompleted);
        Assert.False(await waiting);
    }
}
