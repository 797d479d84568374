using Slipway.Edge.Control.Contracts;

namespace Slipway.Edge.Control;

/// <summary>A control-API failure that maps directly to a status code and a <see cref="ControlError"/> body.</summary>
internal sealed class ControlException(int status, ControlError error) : Exception(error.Error)
{
    public int Status { get; } = status;

    public ControlError Error { get; } = error;

    public static ControlException BadRequest(string message, string? field) =>
        new(400, new ControlError { Error = message, Field = field });

    public static ControlException NotFound(string message) => new(404, new ControlError { Error = message });
}
