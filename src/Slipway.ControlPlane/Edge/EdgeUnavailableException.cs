namespace Slipway.ControlPlane.Edge;

/// <summary>The edge could not be reached or refused a call; <see cref="Status"/> is its HTTP status when it answered.</summary>
internal sealed class EdgeUnavailableException(string message, int? status = null, Exception? inner = null) : Exception(message, inner)
{
    public int? Status { get; } = status;
}
