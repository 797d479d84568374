namespace Slipway.Edge.Control.Contracts;

/// <summary>Answer of <c>GET /status</c>.</summary>
public sealed record EdgeStatus
{
    public IReadOnlyList<ServiceStatus> Services { get; init; } = [];

    public IReadOnlyList<ProcessStatus> Processes { get; init; } = [];
}
