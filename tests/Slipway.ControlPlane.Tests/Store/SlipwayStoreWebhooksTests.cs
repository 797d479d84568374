using System.Security.Cryptography;
using System.Text;
using Slipway.Edge.Secrets;
using Slipway.ControlPlane.Store;
using Slipway.ControlPlane.Webhooks;

namespace Slipway.ControlPlane.Tests.Store;

public sealed class SlipwayStoreWebhooksTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void SetWebhookSecret_StoredSealed_OpensAgainAndNeverLandsInTheFileInClear()
    {
        const string secret = "webhook-secret-in-clear-0123456789";
        var key = RandomNumberGenerator.GetBytes(32);
        using (var store = SlipwayStore.Open(_dir.File("slipway.db")))
        {
            store.UpsertApp("hello", "app: hello\n");
            new WebhookSecrets(store, () => new SecretBox(key)).Set("hello", secret);
            Assert.Equal(secret, new WebhookSecrets(store, () => new SecretBox(key)).All()["hello"]);
            Assert.Empty(new WebhookSecrets(store, () => new SecretBox(RandomNumberGenerator.GetBytes(32))).All());
            Assert.Equal("webhook.secret.set", store.ReadEvents(0)[^1].Type);
            Assert.DoesNotContain(secret, store.ReadEvents(0)[^1].DataJson, StringComparison.Ordinal);
        }

        foreach (var file in Directory.GetFiles(_dir.Path))
        {
            Assert.DoesNotContain(secret, Encoding.UTF8.GetString(File.ReadAllBytes(file)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SetWebhookSecret_UnknownApp_IsNotFound()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"));

        var e = Assert.Throws<StoreException>(() => store.SetWebhookSecret("nope", "v1:x"));

        Assert.Equal(StoreErrorCode.NotFound, e.Code);
    }

    [Fact]
    public void RecordWebhookDelivery_SameIdTwice_KeepsTheFirstAnswer()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"));
        Assert.Null(store.FindWebhookDelivery("github", "d1"));

        store.RecordWebhookDelivery("github", "d1", "push", 202, "{\"first\":true}");
        store.RecordWebhookDelivery("github", "d1", "push", 200, "{\"second\":true}");

        Assert.Equal((202, "{\"first\":true}"), store.FindWebhookDelivery("github", "d1"));
        Assert.Null(store.FindWebhookDelivery("gitea", "d1"));
        Assert.Single(store.ReadEvents(0), e => e.Type == "webhook.received");
    }

    [Fact]
    public void RecordWebhookDelivery_AfterTheRetention_ForgetsOldIds()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));
        using var store = SlipwayStore.Open(_dir.File("slipway.db"), time);
        store.RecordWebhookDelivery("gitea", "old", "push", 200, "{}");

        time.Advance(SlipwayStore.DeliveryRetention + TimeSpan.FromMinutes(1));
        store.RecordWebhookDelivery("gitea", "new", "push", 200, "{}");

        Assert.Null(store.FindWebhookDelivery("gitea", "old"));
        Assert.NotNull(store.FindWebhookDelivery("gitea", "new"));
    }

    [Fact]
    public void SupersedeDeployment_JournalsBothRevisions()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"));
        store.UpsertApp("hello", "app: hello\n");
        var old = store.CreateDeployment(new NewDeployment { App = "hello", RequestedRevision = "aaaa" });
        var replacement = store.CreateDeployment(new NewDeployment { App = "hello", RequestedRevision = "bbbb" });

        var superseded = store.SupersedeDeployment(old.Id, replacement.Id);

        var journaled = store.ReadEvents(0)[^1].DataJson;
        Assert.Contains("\"revision\":\"aaaa\"", journaled, StringComparison.Ordinal);
        Assert.Contains("\"supersededByRevision\":\"bbbb\"", journaled, StringComparison.Ordinal);
        Assert.Equal($"superseded by {replacement.Id} (revision bbbb) before it started", superseded.ErrorSummary);
    }

    public void Dispose() => _dir.Dispose();
}
