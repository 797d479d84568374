using Microsoft.Data.Sqlite;

namespace Slipway.ControlPlane.Store;

internal sealed partial class SlipwayStore
{
    private const string AppColumns = "name, spec_yaml, created_at, updated_at";

    public AppRecord? GetApp(string name) => Read(c =>
        ReadAll(Query(c, $"SELECT {AppColumns} FROM apps WHERE name = $name", ("$name", name)), MapApp).SingleOrDefault());

    public IReadOnlyList<AppRecord> ListApps() => Read(c =>
        ReadAll(Query(c, $"SELECT {AppColumns} FROM apps ORDER BY name"), MapApp));

    /// <summary>Registers an app or replaces its spec; appends <c>app.registered</c> or <c>app.updated</c>.</summary>
    public AppRecord UpsertApp(string name, string specYaml) => Write(tx =>
    {
        var existed = tx.Scalar("SELECT 1 FROM apps WHERE name = $name", ("$name", name)) is not null;
        tx.Execute(
            """
            INSERT INTO apps(name, spec_yaml, created_at, updated_at) VALUES ($name, $spec, $now, $now)
            ON CONFLICT(name) DO UPDATE SET spec_yaml = excluded.spec_yaml, updated_at = excluded.updated_at
            """,
            ("$name", name), ("$spec", specYaml), ("$now", tx.NowText));
        // The spec text stays out of the event: the journal is streamed to clients and kept forever.
        tx.AppendEvent(existed ? EventTypes.AppUpdated : EventTypes.AppRegistered, name, null, null, new { app = name });
        using var command = tx.Command($"SELECT {AppColumns} FROM apps WHERE name = $name", ("$name", name));
        return ReadAll(command, MapApp).Single();
    });

    /// <summary>
    /// Removes an app with its releases, generations, pointers and deployments (the journal keeps their history).
    /// Returns false, appending nothing, when the app was not registered.
    /// </summary>
    public bool RemoveApp(string name) => Write(tx =>
    {
        if (tx.Execute("DELETE FROM apps WHERE name = $name", ("$name", name)) == 0)
        {
            return false;
        }

        tx.AppendEvent(EventTypes.AppRemoved, name, null, null, new { app = name });
        return true;
    });

    /// <summary>Appends a free-form event such as a <c>deploy.log</c> line. Callers keep secret values out of <paramref name="data"/>.</summary>
    public StoreEvent AppendEvent(string type, string? app, string? env, string? deploymentId, object? data) =>
        Write(tx => tx.AppendEvent(type, app, env, deploymentId, data));

    /// <summary>Events after <paramref name="afterSeq"/> in order, optionally of one deployment (for SSE replay and Last-Event-ID).</summary>
    public IReadOnlyList<StoreEvent> ReadEvents(long afterSeq, string? deploymentId = null, int limit = 1000) => Read(c =>
        ReadAll(
            Query(c,
                """
                SELECT seq, at, type, app, env, deployment_id, data_json FROM events
                WHERE seq > $after AND ($deployment IS NULL OR deployment_id = $deployment)
                ORDER BY seq LIMIT $limit
                """,
                ("$after", afterSeq), ("$deployment", deploymentId), ("$limit", limit)),
            r => new StoreEvent(r.GetInt64(0), StoreTime.Parse(r.GetString(1)), r.GetString(2), NullableString(r, 3),
                NullableString(r, 4), NullableString(r, 5), r.GetString(6))));

    /// <summary>Seq of the newest event, or 0 for an empty journal.</summary>
    public long LastEventSeq() => Read(c =>
    {
        using var command = Query(c, "SELECT COALESCE(MAX(seq), 0) FROM events");
        return (long)command.ExecuteScalar()!;
    });

    private static AppRecord MapApp(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), StoreTime.Parse(r.GetString(2)), StoreTime.Parse(r.GetString(3)));
}
