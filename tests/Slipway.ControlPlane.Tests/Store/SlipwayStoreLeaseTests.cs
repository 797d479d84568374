using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Tests.Store;

/// <summary>The leader lease: one writer per store, fenced, taken over on expiry or when its holder is gone.</summary>
public sealed class SlipwayStoreLeaseTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private SlipwayStore Open(string holder)
    {
        var store = SlipwayStore.Open(_dir.File("slipway.db"), _time);
        store.RequireLease(holder);
        return store;
    }

    [Fact]
    public void TryAcquireLease_HeldByLiveOther_FollowerCannotWrite()
    {
        using var leader = Open("a");
        using var follower = Open("b");

        Assert.True(leader.TryAcquireLease(Lease, _ => false));
        Assert.False(follower.TryAcquireLease(Lease, _ => false));

        var refused = Assert.Throws<StoreException>(() => follower.UpsertApp("hello", "app: hello\n"));
        Assert.Equal(StoreErrorCode.NotLeader, refused.Code);
        Assert.Null(follower.GetApp("hello"));
        leader.UpsertApp("hello", "app: hello\n");
        Assert.NotNull(follower.GetApp("hello"));
    }

    [Fact]
    public void TryAcquireLease_AfterExpiry_NewHolderGetsNextFencingAndOldHolderIsFenced()
    {
        using var first = Open("a");
        using var second = Open("b");
        Assert.True(first.TryAcquireLease(Lease, _ => false));
        var fencing = first.Fencing;

        _time.Advance(Lease + TimeSpan.FromSeconds(1));
        Assert.True(second.TryAcquireLease(Lease, _ => false));

        Assert.Equal(fencing + 1, second.Fencing);
        // The old holder resumes after a pause and tries to write: the fencing check refuses it.
        var refused = Assert.Throws<StoreException>(() => first.UpsertApp("late", "app: late\n"));
        Assert.Equal(StoreErrorCode.NotLeader, refused.Code);
        Assert.False(first.RenewLease(Lease));
        Assert.False(first.IsLeader);
        second.UpsertApp("hello", "app: hello\n");
    }

    [Fact]
    public void TryAcquireLease_HolderGone_TakenOverBeforeExpiry()
    {
        using var dead = Open("host/1/1");
        using var next = Open("host/2/2");
        Assert.True(dead.TryAcquireLease(Lease, _ => false));

        Assert.True(next.TryAcquireLease(Lease, holder => holder == "host/1/1"));
        Assert.Equal("host/2/2", next.ReadLease()!.Holder);
    }

    [Fact]
    public void ReleaseLease_CleanStop_FollowerTakesOverAtOnce()
    {
        using var leader = Open("a");
        using var follower = Open("b");
        Assert.True(leader.TryAcquireLease(Lease, _ => false));

        leader.ReleaseLease();

        Assert.True(follower.TryAcquireLease(Lease, _ => false));
        Assert.False(leader.IsLeader);
    }

    [Fact]
    public void RenewLease_Holder_ExtendsExpiryKeepsFencing()
    {
        using var leader = Open("a");
        Assert.True(leader.TryAcquireLease(Lease, _ => false));
        var fencing = leader.Fencing;
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.True(leader.RenewLease(Lease));

        Assert.Equal(fencing, leader.Fencing);
        Assert.Equal(_time.GetUtcNow() + Lease, leader.ReadLease()!.ExpiresAt);
    }
}
