using System.Security.Cryptography;

namespace Slipway.FunctionalTests.Recovery;

/// <summary>A damaged store is reported, never silently replaced (docs/architecture.md §2).</summary>
[Collection(RecoveryCollection.Name)]
public sealed class DamagedStoreTests
{
    [Fact]
    public async Task Server_TruncatedStore_ExitsNonZeroWithClearMessageAndLeavesFileAsItWas()
    {
        var home = Directory.CreateTempSubdirectory("slipway-damaged-").FullName;
        try
        {
            var db = Path.Combine(home, "slipway.db");
            using (var store = Slipway.ControlPlane.Store.SlipwayStore.Open(db))
            {
                store.UpsertApp("hello", "app: hello\nrun: { command: \"true\" }\n");
            }

            foreach (var leftover in new[] { db + "-wal", db + "-shm" })
            {
                File.Delete(leftover);
            }

            var bytes = await File.ReadAllBytesAsync(db);
            await File.WriteAllBytesAsync(db, bytes[..(bytes.Length / 3)]);
            var hash = SHA256.HashData(await File.ReadAllBytesAsync(db));

            await using var server = SlipwayChild.Start(new Dictionary<string, string>(), "server", "--home", home, "--listen", "127.0.0.1:0");
            await server.WaitForExitAsync(TimeSpan.FromSeconds(60));

            Assert.NotEqual(0, server.ExitCode);
            Assert.Contains("slipway server:", server.Output, StringComparison.Ordinal);
            Assert.Contains(db, server.Output, StringComparison.Ordinal);
            Assert.Contains("left the file untouched", server.Output, StringComparison.Ordinal);
            Assert.Equal(hash, SHA256.HashData(await File.ReadAllBytesAsync(db)));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
