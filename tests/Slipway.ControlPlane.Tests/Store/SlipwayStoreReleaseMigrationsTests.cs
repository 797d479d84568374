using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Tests.Store;

public sealed class SlipwayStoreReleaseMigrationsTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private SlipwayStore Open() => SlipwayStore.Open(_dir.File("slipway.db"), _time);

    private Release NewRelease(SlipwayStore store, string digest = "sha256:0123456789abcdef")
    {
        store.UpsertApp("hello", "app: hello\n");
        var builtAt = _time.GetUtcNow();
        var id = store.NewReleaseId(digest, builtAt);
        _time.Advance(TimeSpan.FromSeconds(1));
        return store.RecordRelease(new Release { Id = id, App = "hello", Digest = digest, BuiltAt = builtAt, Path = "/releases/hello/" + id });
    }

    [Fact]
    public void StartThenFinish_Succeeded_IsFoundForEveryReleaseOfTheSameTree()
    {
        using var store = Open();
        var release = NewRelease(store);
        var seq = store.LastEventSeq();

        var started = store.StartMigration(release, "d-1");
        Assert.Equal((MigrationStatus.Started, 1), (started.Status, started.Attempts));
        Assert.Equal(MigrationStatus.Started, store.FindMigration("hello", release.Digest)!.Status);
        var done = store.FinishMigration(release.Id, succeeded: true, exitCode: 0);

        Assert.Equal((MigrationStatus.Succeeded, (int?)0), (done.Status, done.ExitCode));
        Assert.Equal(["migrate.start", "migrate.done"], store.ReadEvents(seq).Select(e => e.Type));
        var rebuilt = NewRelease(store);
        Assert.NotEqual(release.Id, rebuilt.Id);
        Assert.Equal(release.Id, store.FindMigration("hello", rebuilt.Digest)!.ReleaseId);
        Assert.Null(store.FindMigration("hello", "sha256:other"));
    }

    [Fact]
    public void StartMigration_AfterInterruptedAttempt_CountsAttemptsAndFinishesOnce()
    {
        using var store = Open();
        var release = NewRelease(store);
        store.StartMigration(release, "d-1");

        // Reopened as after a crash: the record still says started.
        store.Dispose();
        using var reopened = Open();
        Assert.Equal(MigrationStatus.Started, reopened.FindMigration("hello", release.Digest)!.Status);
        var retried = reopened.StartMigration(release, "d-2");
        reopened.FinishMigration(release.Id, succeeded: false, exitCode: 3);

        Assert.Equal((2, "d-2"), (retried.Attempts, retried.DeploymentId));
        var failed = reopened.ListMigrations("hello")[release.Id];
        Assert.Equal((MigrationStatus.Failed, (int?)3), (failed.Status, failed.ExitCode));
        var again = Assert.Throws<StoreException>(() => reopened.FinishMigration(release.Id, succeeded: true, exitCode: 0));
        Assert.Equal(StoreErrorCode.InvalidTransition, again.Code);
    }

    [Fact]
    public void FindMigration_OneReleaseSucceededAnotherFailed_PrefersTheSuccess()
    {
        using var store = Open();
        var first = NewRelease(store);
        var second = NewRelease(store);
        store.StartMigration(first, "d-1");
        store.FinishMigration(first.Id, succeeded: true, exitCode: 0);
        _time.Advance(TimeSpan.FromMinutes(1));
        store.StartMigration(second, "d-2");
        store.FinishMigration(second.Id, succeeded: false, exitCode: 1);

        Assert.Equal((first.Id, MigrationStatus.Succeeded), (store.FindMigration("hello", first.Digest)!.ReleaseId, store.FindMigration("hello", first.Digest)!.Status));
    }
}
