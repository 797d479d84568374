using System.Net;
using Slipway.Edge.Control.Contracts;

namespace Slipway.Edge.Control;

/// <summary>A control-API call answered with an error status; <see cref="Error"/> is the edge's explanation.</summary>
public sealed class EdgeControlException(HttpStatusCode status, ControlError error)
    : Exception($"The edge answered {(int)status}: {error.Error}{(error.Field is null ? "" : $" (field '{error.Field}')")}")
{
    public HttpStatusCode Status { get; } = status;

    public ControlError Error { get; } = error;
}
