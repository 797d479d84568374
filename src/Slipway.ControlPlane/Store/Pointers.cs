namespace Slipway.ControlPlane.Store;

/// <summary>
/// Which generation serves an (app, env) and which one a rollback returns to. Changed only by
/// <see cref="SlipwayStore.Promote"/>; <see cref="Previous"/> is never a failed generation.
/// </summary>
internal sealed record Pointers(string App, string Env, long? Current, long? Previous);
