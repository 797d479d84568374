namespace Slipway.ControlPlane.Runtime;

/// <summary>
/// Who keeps a runtime's current generations alive and what the reconciler adds to it (docs/architecture.md §6).
/// </summary>
internal sealed record Liveness
{
    /// <summary>Runs the instances and restarts a crashed one by itself: <c>edge</c> (its supervisor) or <c>engine</c> (its restart policy).</summary>
    public required string KeptBy { get; init; }

    /// <summary>
    /// The reconciler restarts a current generation the edge reports unhealthy several checks in a row, and rolls back
    /// one still unhealthy a while after a restart. False where liveness is the engine's alone: Slipway then only
    /// starts an instance the engine gave up on.
    /// </summary>
    public bool RestartsUnhealthy { get; init; }

    /// <summary>
    /// An instance the runtime no longer knows is started again from its release. False where it cannot be (a
    /// container's writable layer went with it): the reconciler journals the generation lost instead.
    /// </summary>
    public bool RecreatesMissing { get; init; }
}
