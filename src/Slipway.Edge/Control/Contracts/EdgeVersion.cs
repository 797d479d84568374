namespace Slipway.Edge.Control.Contracts;

/// <summary>Answer of <c>GET /version</c>.</summary>
public sealed record EdgeVersion
{
    public string Version { get; init; } = "";
}
