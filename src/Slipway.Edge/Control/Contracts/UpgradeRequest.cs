namespace Slipway.Edge.Control.Contracts;

/// <summary>Body of <c>POST /upgrade</c>: start a new edge that takes over this one's listeners and processes.</summary>
public sealed record UpgradeRequest
{
    /// <summary>
    /// The program and leading arguments that run <c>slipway</c>, e.g. <c>["/usr/local/bin/slipway"]</c> or
    /// <c>["/usr/bin/dotnet", "/opt/slipway/slipway.dll"]</c>; the edge appends <c>edge --home … --takeover …</c>.
    /// </summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>How long the new edge may take to start, take over and serve before this edge gives up and keeps serving.</summary>
    public int TimeoutMs { get; init; } = 30_000;
}
