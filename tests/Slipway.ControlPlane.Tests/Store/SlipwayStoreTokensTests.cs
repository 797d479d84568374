using Microsoft.Data.Sqlite;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Tests.Store;

public sealed class SlipwayStoreTokensTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void CreateToken_WithRole_IsReadBackWithIt_AndTheJournalNamesTheRoleNotTheSecret()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"));

        var viewer = store.CreateToken("dash", TokenRole.Viewer);
        var admin = store.CreateToken("ci");

        Assert.Equal(TokenRole.Viewer, store.GetToken(viewer.Token.Id)!.Role);
        Assert.False(store.GetToken(viewer.Token.Id)!.MayWrite);
        Assert.Equal(TokenRole.Admin, store.FindActiveToken(admin.Secret)!.Role);
        var created = store.ReadEvents(0).First(e => e.Type == EventTypes.TokenCreated);
        Assert.Contains("\"role\":\"viewer\"", created.DataJson);
        Assert.DoesNotContain(viewer.Secret, created.DataJson);
    }

    [Fact]
    public void Migration9_TokensMadeBeforeRoles_StayAdmins()
    {
        var path = _dir.File("slipway.db");
        SlipwayStore.Open(path).Dispose();
        using (var raw = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            // Back to the schema before migration 9, with a token of that time.
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = """
                DROP TABLE dashboard_sessions;
                ALTER TABLE tokens DROP COLUMN role;
                DELETE FROM schema_migrations WHERE version = 9;
                INSERT INTO tokens(id, name, hash, created_at) VALUES ('tok_old', 'old', 'abc', '2026-01-01T00:00:00.0000000Z');
                """;
            command.ExecuteNonQuery();
        }

        using var store = SlipwayStore.Open(path);

        Assert.Equal(TokenRole.Admin, store.GetToken("tok_old")!.Role);
    }

    [Fact]
    public void DashboardSession_CreatedThenEnded_IsKeptByHashWithItsEnd()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"));
        var expires = DateTimeOffset.UtcNow.AddHours(1);

        store.CreateDashboardSession("h1", "tok_1", expires);
        store.EndDashboardSession("h1");
        store.EndDashboardSession("unknown");

        var session = store.GetDashboardSession("h1")!;
        Assert.Equal("tok_1", session.TokenId);
        Assert.NotNull(session.EndedAt);
        Assert.Null(store.GetDashboardSession("h2"));
    }

    public void Dispose() => _dir.Dispose();
}
