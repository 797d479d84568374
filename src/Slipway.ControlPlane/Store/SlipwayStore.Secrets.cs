namespace Slipway.ControlPlane.Store;

internal sealed partial class SlipwayStore
{
    /// <summary>
    /// Sets (or replaces) an app's sealed secret; appends <c>secret.set</c> naming the app and the key, never the
    /// value. Returns true when the name was new. Throws NotFound when the app is not registered.
    /// </summary>
    public bool SetAppSecret(string app, string name, string sealedValue) => Write(tx =>
    {
        RequireApp(tx, app);
        var existed = tx.Scalar("SELECT 1 FROM app_secrets WHERE app = $app AND name = $name", ("$app", app), ("$name", name)) is not null;
        tx.Execute(
            """
            INSERT INTO app_secrets(app, name, sealed, updated_at) VALUES ($app, $name, $sealed, $now)
            ON CONFLICT(app, name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
            """,
            ("$app", app), ("$name", name), ("$sealed", sealedValue), ("$now", tx.NowText));
        tx.AppendEvent(EventTypes.SecretSet, app, null, null, new { app, name, replaced = existed });
        return !existed;
    });

    /// <summary>Removes an app's secret; appends <c>secret.unset</c>. False (nothing appended) when it was not set.</summary>
    public bool UnsetAppSecret(string app, string name) => Write(tx =>
    {
        RequireApp(tx, app);
        if (tx.Execute("DELETE FROM app_secrets WHERE app = $app AND name = $name", ("$app", app), ("$name", name)) == 0)
        {
            return false;
        }

        tx.AppendEvent(EventTypes.SecretUnset, app, null, null, new { app, name });
        return true;
    });

    /// <summary>An app's secrets (sealed), by name.</summary>
    public IReadOnlyList<AppSecretRecord> ListAppSecrets(string app) => Read(c =>
        ReadAll(Query(c, "SELECT app, name, sealed, updated_at FROM app_secrets WHERE app = $app ORDER BY name", ("$app", app)), MapSecret));

    /// <summary>Every app's secrets (sealed), for redacting text that is not tied to one app.</summary>
    public IReadOnlyList<AppSecretRecord> ListAllAppSecrets() => Read(c =>
        ReadAll(Query(c, "SELECT app, name, sealed, updated_at FROM app_secrets ORDER BY app, name"), MapSecret));

    private static AppSecretRecord MapSecret(Microsoft.Data.Sqlite.SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), StoreTime.Parse(r.GetString(3)));
}
