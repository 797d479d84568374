using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Slipway.ControlPlane.Secrets;
using Slipway.ControlPlane.Store;
using Slipway.ControlPlane.Tests.Store;
using Slipway.Edge.Secrets;

namespace Slipway.ControlPlane.Tests.Secrets;

public sealed class AppSecretsTests : IDisposable
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    private readonly TempDirectory _dir = new();

    [Fact]
    public void Set_ThenValues_OpensEveryValueAndTheStoreFilesNeverHoldOneInClear()
    {
        const string value = "postgres://app:pa55-in-clear@db/app";
        using (var store = SlipwayStore.Open(_dir.File("slipway.db")))
        {
            store.UpsertApp("hello", "app: hello\n");
            var secrets = new AppSecrets(store, () => new SecretBox(Key));

            Assert.True(secrets.Set("hello", "DATABASE_URL", value));
            secrets.Set("hello", "API_KEY", "key-0123456789");

            Assert.Equal(value, secrets.Values("hello")["DATABASE_URL"]);
            Assert.Equal(["API_KEY", "DATABASE_URL"], secrets.List("hello").Select(s => s.Name));
            Assert.Empty(new AppSecrets(store, () => new SecretBox(Key)).Values("other"));
        }

        foreach (var file in Directory.GetFiles(_dir.Path))
        {
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(Encoding.UTF8.GetBytes("pa55-in-clear")) < 0, file);
        }
    }

    [Fact]
    public void Values_SealedUnderAnotherKey_ThrowsNamingTheSecretAndWhatToDo()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"));
        store.UpsertApp("hello", "app: hello\n");
        new AppSecrets(store, () => new SecretBox(Key)).Set("hello", "API_KEY", "key-0123456789");

        var e = Assert.Throws<SecretsUnreadableException>(() => new AppSecrets(store, () => new SecretBox(RandomNumberGenerator.GetBytes(32))).Values("hello"));

        Assert.Contains("API_KEY", e.Message);
        Assert.Contains("slipway secrets set hello API_KEY", e.Message);
        Assert.DoesNotContain("key-0123456789", e.Message);
    }

    [Fact]
    public void RedactAll_ValueAsJsonEscapesIt_IsMaskedInTheJournal()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"));
        store.UpsertApp("hello", "app: hello\n");
        var secrets = new AppSecrets(store, () => new SecretBox(Key));
        store.Redaction = secrets.RedactAll;
        const string value = "pässwörd\"<quoted>";
        secrets.Set("hello", "API_KEY", value);

        store.AppendEvent(EventTypes.DeployLog, "hello", "prod", null, new { line = $"connecting with {value}" });

        var json = store.ReadEvents(0)[^1].DataJson;
        Assert.Equal("connecting with ***", JsonDocument.Parse(json).RootElement.GetProperty("line").GetString());
    }

    [Fact]
    public void Unset_AfterSet_ValueIsNoLongerMaskedOrInjected()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"));
        store.UpsertApp("hello", "app: hello\n");
        var secrets = new AppSecrets(store, () => new SecretBox(Key));
        secrets.Set("hello", "API_KEY", "key-0123456789");
        Assert.Equal("k=***", secrets.RedactAll("k=key-0123456789"));

        Assert.True(secrets.Unset("hello", "API_KEY"));

        Assert.Empty(secrets.Values("hello"));
        Assert.Equal("k=key-0123456789", secrets.RedactAll("k=key-0123456789"));
    }

    public void Dispose() => _dir.Dispose();
}
