namespace Slipway.ControlPlane.Store;

/// <summary>A recorded promotion: <see cref="DeploymentId"/> runs <see cref="Source"/>'s release in its own environment.</summary>
internal sealed record Promotion(string DeploymentId, PromotionSource Source, DateTimeOffset CreatedAt);
