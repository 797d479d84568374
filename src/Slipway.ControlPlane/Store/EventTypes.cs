namespace Slipway.ControlPlane.Store;

/// <summary>Journal event names (docs/architecture.md §3) that the store appends itself.</summary>
internal static class EventTypes
{
    public const string AppRegistered = "app.registered";
    public const string AppUpdated = "app.updated";
    public const string AppRemoved = "app.removed";
    public const string DeployQueued = "deploy.queued";
    public const string DeployStart = "deploy.start";
    public const string DeployPhase = "deploy.phase";
    public const string DeployLog = "deploy.log";
    public const string DeployDone = "deploy.done";
    public const string DeployCancelled = "deploy.cancelled";
    public const string DeploySuperseded = "deploy.superseded";
    public const string DeployPromoted = "deploy.promoted";
    public const string PromotionQueued = "promote.queued";
    public const string MigrateStart = "migrate.start";
    public const string MigrateDone = "migrate.done";
    public const string ReleaseCreated = "release.created";
    public const string ReleaseRemoved = "release.removed";
    public const string ReleaseImageBuilt = "release.image_built";
    public const string GenerationCreated = "generation.created";
    public const string TokenCreated = "token.created";
    public const string TokenRevoked = "token.revoked";
    public const string LeaseAcquired = "lease.acquired";
    public const string WebhookSecretSet = "webhook.secret.set";
    public const string WebhookReceived = "webhook.received";
    public const string WebhookIgnored = "webhook.ignored";
    public const string SecretSet = "secret.set";
    public const string SecretUnset = "secret.unset";

    /// <summary><c>generation.starting</c>, <c>generation.active</c>, ...</summary>
    public static string ForGeneration(GenerationState state) => "generation." + StoreNames.ToText(state);
}
