using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Tests.Store;

public sealed class SlipwayStorePromotionsTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private SlipwayStore Open() => SlipwayStore.Open(_dir.File("slipway.db"), _time);

    private static Release NewRelease(SlipwayStore store, string digest = "sha256:0123456789abcdef")
    {
        store.UpsertApp("hello", "app: hello\n");
        var builtAt = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        var id = store.NewReleaseId(digest, builtAt);
        return store.RecordRelease(new Release { Id = id, App = "hello", Digest = digest, BuiltAt = builtAt, Path = "/releases/hello/" + id });
    }

    private static Deployment SucceededIn(SlipwayStore store, Release release, string env)
    {
        var deployment = store.CreateDeployment(new NewDeployment { App = "hello", Env = env });
        store.StartDeployment(deployment.Id);
        store.SetDeploymentPhase(deployment.Id, DeploymentPhase.Start, release.Id);
        return store.FinishDeployment(deployment.Id, DeploymentStatus.Succeeded, 0);
    }

    [Fact]
    public void CreateDeployment_WithPromotion_RecordsWhatWasValidatedAndJournalsIt()
    {
        using var store = Open();
        var release = NewRelease(store);
        var test = SucceededIn(store, release, "test");
        var seq = store.LastEventSeq();

        var promote = store.CreateDeployment(
            new NewDeployment { App = "hello", Env = "prod", Kind = DeploymentKind.Promote },
            new PromotionSource("test", release.Id, release.Digest, test.Id));

        var recorded = store.GetPromotion(promote.Id)!;
        Assert.Equal(new PromotionSource("test", release.Id, release.Digest, test.Id), recorded.Source);
        Assert.Equal(promote.Id, store.GetPromotionAfter(test.Id)!.DeploymentId);
        Assert.Null(store.GetPromotion(test.Id));
        Assert.Equal(["deploy.queued", "promote.queued"], store.ReadEvents(seq).Select(e => e.Type));
    }

    [Fact]
    public void CreateDeployment_PromotionWithAnotherDigest_IsRefusedAndNothingIsQueued()
    {
        using var store = Open();
        var release = NewRelease(store);
        var test = SucceededIn(store, release, "test");

        var error = Assert.Throws<StoreException>(() => store.CreateDeployment(
            new NewDeployment { App = "hello", Env = "prod", Kind = DeploymentKind.Promote },
            new PromotionSource("test", release.Id, "sha256:ffff", test.Id)));

        Assert.Equal(StoreErrorCode.Conflict, error.Code);
        Assert.Contains("not the sha256:ffff validated in test", error.Message, StringComparison.Ordinal);
        Assert.Single(store.ListDeployments("hello"));
    }

    [Fact]
    public void SucceededDeploymentOf_FailedInTest_IsNullAndLastDeploymentTellsWhy()
    {
        using var store = Open();
        var release = NewRelease(store);
        var failed = store.CreateDeployment(new NewDeployment { App = "hello", Env = "test" });
        store.StartDeployment(failed.Id);
        store.SetDeploymentPhase(failed.Id, DeploymentPhase.Validate, release.Id);
        store.FinishDeployment(failed.Id, DeploymentStatus.Failed, 1, "validate: deadline");

        Assert.Null(store.SucceededDeploymentOf("hello", "test", release.Id));
        Assert.Equal((failed.Id, DeploymentPhase.Validate), (store.LastDeploymentOf("hello", "test", release.Id)!.Id, store.LastDeploymentOf("hello", "test", release.Id)!.Phase));

        var succeeded = SucceededIn(store, release, "test");
        Assert.Equal(succeeded.Id, store.SucceededDeploymentOf("hello", "test", release.Id)!.Id);
        Assert.Null(store.SucceededDeploymentOf("hello", "prod", release.Id));
    }
}
