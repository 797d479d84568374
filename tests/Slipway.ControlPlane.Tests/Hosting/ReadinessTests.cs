using Slipway.ControlPlane.Api;
using Microsoft.Extensions.Time.Testing;
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

    private static readonly HandoffSuccessor Successor = new(new Uri("http://127.0.0.1:40001"), null);

    [Fact]
    public async Task HandOffWrites_WaitsForTheRunningWriteAndSendsNewOnesToTheSuccessor()
    {
        var readiness = new Readiness();
        readiness.MarkReady();
        var (running, none) = readiness.EnterWrite();
        Assert.NotNull(running);
        Assert.Null(none);

        var handoff = readiness.HandOffWritesAsync(Successor, TimeSpan.FromMinutes(5), TimeProvider.System);
        Assert.False(handoff.IsCompleted);
        var (late, successor) = readiness.EnterWrite();
        Assert.Null(late);
        Assert.Equal(Successor, successor);

        running.Dispose();
        Assert.True(await handoff.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task HandOffWrites_AWriteThatNeverEnds_GivesUpAtTheBound()
    {
        var time = new FakeTimeProvider();
        var readiness = new Readiness();
        readiness.MarkReady();
        using var stuck = readiness.EnterWrite().Permit;

        var handoff = readiness.HandOffWritesAsync(Successor, TimeSpan.FromSeconds(10), time);
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(handoff.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(await handoff.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task HandOffWrites_APermitDisposedTwiceCountsOnce()
    {
        var readiness = new Readiness();
        readiness.MarkReady();
        var first = readiness.EnterWrite().Permit!;
        using var second = readiness.EnterWrite().Permit;
        first.Dispose();
        first.Dispose();

        var handoff = readiness.HandOffWritesAsync(Successor, TimeSpan.FromMinutes(5), TimeProvider.System);
        Assert.False(handoff.IsCompleted);
        second!.Dispose();
        Assert.True(await handoff.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task TakenBack_WritesAreServedHereAgain()
    {
        var readiness = new Readiness();
        readiness.MarkReady();
        Assert.True(await readiness.HandOffWritesAsync(Successor, TimeSpan.FromMinutes(5), TimeProvider.System));
        readiness.MarkFollower();
        Assert.Equal(Successor, readiness.EnterWrite().Successor);

        readiness.MarkReady();
        var (permit, successor) = readiness.EnterWrite();
        using (permit)
        {
            Assert.NotNull(permit);
            Assert.Null(successor);
        }
    }
}
