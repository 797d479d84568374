namespace Slipway.ControlPlane.Webhooks;

/// <summary>The HTTP answer to one delivery; a replayed delivery id gets the stored answer of the first.</summary>
internal sealed record WebhookResult(int Status, string Json, bool Replayed);
