namespace Slipway.ControlPlane.Store;

internal sealed partial class SlipwayStore
{
    /// <summary>How long an answered delivery id is remembered for replays.</summary>
    public static readonly TimeSpan DeliveryRetention = TimeSpan.FromDays(30);

    /// <summary>Sets an app's sealed webhook secret; appends <c>webhook.secret.set</c> (the app only, never the value).</summary>
    public void SetWebhookSecret(string app, string sealedSecret) => Write(tx =>
    {
        if (tx.Scalar("SELECT 1 FROM apps WHERE name = $app", ("$app", app)) is null)
        {
            throw NotFound($"App '{app}' is not registered.");
        }

        tx.Execute(
            """
            INSERT INTO webhook_secrets(app, sealed, updated_at) VALUES ($app, $sealed, $now)
            ON CONFLICT(app) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
            """,
            ("$app", app), ("$sealed", sealedSecret), ("$now", tx.NowText));
        tx.AppendEvent(EventTypes.WebhookSecretSet, app, null, null, new { app });
        return 0;
    });

    /// <summary>Every app's sealed webhook secret, by app name.</summary>
    public IReadOnlyDictionary<string, string> ListWebhookSecrets() => Read(c =>
        ReadAll(Query(c, "SELECT app, sealed FROM webhook_secrets ORDER BY app"), r => (App: r.GetString(0), Sealed: r.GetString(1)))
            .ToDictionary(x => x.App, x => x.Sealed, StringComparer.Ordinal));

    /// <summary>The answer given to an earlier delivery with this id, or null when it is new.</summary>
    public (int Status, string AnswerJson)? FindWebhookDelivery(string provider, string deliveryId) => Read(c =>
        ReadAll(Query(c, "SELECT status, answer_json FROM webhook_deliveries WHERE provider = $p AND delivery_id = $d",
                ("$p", provider), ("$d", deliveryId)), r => (r.GetInt32(0), r.GetString(1)))
            .Select(x => ((int, string)?)x)
            .SingleOrDefault());

    /// <summary>Records the answer to a delivery and journals <c>webhook.received</c>; a second record of the same id is ignored.</summary>
    public void RecordWebhookDelivery(string provider, string deliveryId, string eventName, int status, string answerJson) => Write(tx =>
    {
        var inserted = tx.Execute(
            """
            INSERT INTO webhook_deliveries(provider, delivery_id, status, answer_json, received_at) VALUES ($p, $d, $s, $a, $now)
            ON CONFLICT(provider, delivery_id) DO NOTHING
            """,
            ("$p", provider), ("$d", deliveryId), ("$s", status), ("$a", answerJson), ("$now", tx.NowText));
        // Forges retry a delivery for hours, not weeks: older ids can no longer come back as replays.
        tx.Execute("DELETE FROM webhook_deliveries WHERE received_at < $cutoff", ("$cutoff", StoreTime.Format(tx.Now - DeliveryRetention)));
        if (inserted > 0)
        {
            tx.AppendEvent(EventTypes.WebhookReceived, null, null, null, new { provider, delivery = deliveryId, @event = eventName, status });
        }

        return 0;
    });
}
