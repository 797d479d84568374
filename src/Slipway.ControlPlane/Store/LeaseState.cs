namespace Slipway.ControlPlane.Store;

/// <summary>The store's leader lease as recorded: who holds it, its fencing number and until when.</summary>
internal sealed record LeaseState(string Holder, long Fencing, DateTimeOffset ExpiresAt);
