namespace Slipway.ControlPlane.Store;

/// <summary>
/// What a promote deployment carries from the environment before it: the release, the digest validated there,
/// and the deployment that validated it (docs/architecture.md §9.8).
/// </summary>
internal sealed record PromotionSource(string FromEnv, string ReleaseId, string Digest, string ValidatedBy);
