namespace Slipway.Edge.Control.Contracts;

/// <summary>Answer of <c>GET /version</c>.</summary>
public sealed record EdgeVersion
{
    public string Version { get; init; } = "";

    /// <summary>The edge's process id (it changes with an edge upgrade); 0 from an edge that predates it.</summary>
    public int Pid { get; init; }
}
