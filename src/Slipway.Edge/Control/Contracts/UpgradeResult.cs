namespace Slipway.Edge.Control.Contracts;

/// <summary>Answer of <c>POST /upgrade</c>: the new edge serves; the previous one is draining and will exit.</summary>
public sealed record UpgradeResult
{
    public required EdgeVersion Previous { get; init; }

    public required EdgeVersion Current { get; init; }

    /// <summary>Where the new edge writes its output.</summary>
    public required string LogFile { get; init; }

    /// <summary>How long the previous edge waits at most for its in-flight requests before it exits.</summary>
    public int DrainTimeoutMs { get; init; }
}
