using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Tests.Store;

public sealed class SlipwayStoreSecretsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void SetAppSecret_NewThenReplaced_OneRowAndEventsNameTheKeyOnly()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"));
        store.UpsertApp("hello", "app: hello\n");

        Assert.True(store.SetAppSecret("hello", "API_KEY", "v1:sealed-one"));
        Assert.False(store.SetAppSecret("hello", "API_KEY", "v1:sealed-two"));

        var row = Assert.Single(store.ListAppSecrets("hello"));
        Assert.Equal(("hello", "API_KEY", "v1:sealed-two"), (row.App, row.Name, row.Sealed));
        var events = store.ReadEvents(0).Where(e => e.Type == EventTypes.SecretSet).ToList();
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Contains("\"name\":\"API_KEY\"", e.DataJson));
        Assert.All(events, e => Assert.DoesNotContain("sealed", e.DataJson));
    }

    [Fact]
    public void UnsetAppSecret_SetThenNotSet_RemovesOnceAndJournalsOnce()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"));
        store.UpsertApp("hello", "app: hello\n");
        store.SetAppSecret("hello", "API_KEY", "v1:x");

        Assert.True(store.UnsetAppSecret("hello", "API_KEY"));
        Assert.False(store.UnsetAppSecret("hello", "API_KEY"));

        Assert.Empty(store.ListAppSecrets("hello"));
        Assert.Single(store.ReadEvents(0), e => e.Type == EventTypes.SecretUnset);
    }

    [Fact]
    public void SetAppSecret_UnknownApp_IsNotFoundAndNothingIsWritten()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"));
        var before = store.LastEventSeq();

        var e = Assert.Throws<StoreException>(() => store.SetAppSecret("nope", "API_KEY", "v1:x"));

        Assert.Equal(StoreErrorCode.NotFound, e.Code);
        Assert.Equal(before, store.LastEventSeq());
        Assert.Empty(store.ListAllAppSecrets());
    }

    [Fact]
    public void RemoveApp_WithSecrets_TakesThemAlong()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"));
        store.UpsertApp("hello", "app: hello\n");
        store.UpsertApp("other", "app: other\n");
        store.SetAppSecret("hello", "API_KEY", "v1:x");
        store.SetAppSecret("other", "API_KEY", "v1:y");

        store.RemoveApp("hello");

        Assert.Equal(["other"], store.ListAllAppSecrets().Select(s => s.App));
    }

    [Fact]
    public void Redaction_Set_MasksEventDataAndErrorSummaries()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"));
        store.Redaction = text => text.Replace("hunter2-value", "***", StringComparison.Ordinal);
        store.UpsertApp("hello", "app: hello\n");
        var deployment = store.CreateDeployment(new NewDeployment { App = "hello", Env = "prod", Kind = DeploymentKind.Deploy });

        store.AppendEvent(EventTypes.DeployLog, "hello", "prod", deployment.Id, new { line = "token is hunter2-value" });
        var finished = store.FinishDeployment(deployment.Id, DeploymentStatus.Failed, 1, "build: step printed hunter2-value");

        Assert.Equal("build: step printed ***", finished.ErrorSummary);
        Assert.All(store.ReadEvents(0), e => Assert.DoesNotContain("hunter2-value", e.DataJson));
        Assert.Contains(store.ReadEvents(0), e => e.DataJson.Contains("token is ***", StringComparison.Ordinal));
    }

    public void Dispose() => _dir.Dispose();
}
