using Microsoft.Data.Sqlite;

namespace Slipway.ControlPlane.Store;

internal sealed partial class SlipwayStore
{
    private const string SessionColumns = "hash, token_id, created_at, expires_at, ended_at";

    /// <summary>Records a signed-in browser by the hash of its cookie; sessions already past their expiry are deleted.</summary>
    public DashboardSession CreateDashboardSession(string hash, string tokenId, DateTimeOffset expiresAt) => Write(tx =>
    {
        tx.Execute("DELETE FROM dashboard_sessions WHERE expires_at < $now", ("$now", tx.NowText));
        tx.Execute("INSERT INTO dashboard_sessions(hash, token_id, created_at, expires_at) VALUES ($hash, $token, $now, $expires)",
            ("$hash", hash), ("$token", tokenId), ("$now", tx.NowText), ("$expires", StoreTime.Format(expiresAt)));
        return new DashboardSession(hash, tokenId, tx.Now, expiresAt, null);
    });

    public DashboardSession? GetDashboardSession(string hash) => Read(c =>
        ReadAll(Query(c, $"SELECT {SessionColumns} FROM dashboard_sessions WHERE hash = $hash", ("$hash", hash)), MapSession).SingleOrDefault());

    /// <summary>Ends a session (sign-out); ending an ended or unknown one changes nothing.</summary>
    public void EndDashboardSession(string hash) => Write(tx =>
        tx.Execute("UPDATE dashboard_sessions SET ended_at = $now WHERE hash = $hash AND ended_at IS NULL", ("$hash", hash), ("$now", tx.NowText)));

    private static DashboardSession MapSession(SqliteDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        StoreTime.Parse(r.GetString(2)),
        StoreTime.Parse(r.GetString(3)),
        StoreTime.ParseNullable(NullableString(r, 4)));
}
