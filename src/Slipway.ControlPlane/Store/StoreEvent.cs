namespace Slipway.ControlPlane.Store;

/// <summary>One journal entry. <see cref="DataJson"/> is a camelCase JSON object and never holds secret values.</summary>
internal sealed record StoreEvent(
    long Seq,
    DateTimeOffset At,
    string Type,
    string? App,
    string? Env,
    string? DeploymentId,
    string DataJson);
