namespace Slipway.ControlPlane.Store;

/// <summary>Life of one generation. Stored lowercase (<c>starting</c>, <c>validating</c>, ...).</summary>
internal enum GenerationState
{
    Starting,
    Validating,
    Active,

    /// <summary>Out of routing but still running, so a rollback within the window is a route swap.</summary>
    Warm,
    Stopped,
    Failed,
}
