namespace Slipway.ControlPlane.Store;

/// <summary>A signed-in dashboard browser, found by the hash of its cookie; the token it signed in with.</summary>
internal sealed record DashboardSession(string Hash, string TokenId, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? EndedAt);
