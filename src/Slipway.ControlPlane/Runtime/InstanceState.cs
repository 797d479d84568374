using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Runtime;

/// <summary>A running (or ended) generation as its runtime sees it.</summary>
internal sealed record InstanceState
{
    /// <summary>Where the instance is, in the edge supervisor's terms whatever the runtime (a container's status mapped).</summary>
    public required ProcessState State { get; init; }

    /// <summary><see cref="State"/> in the runtime's own words (<c>running</c>, <c>exited</c>, <c>paused</c>, ...), for people.</summary>
    public required string StateText { get; init; }

    public bool Running => State is ProcessState.Running or ProcessState.Starting;

    /// <summary>
    /// Set when the instance has ended and will not come back by itself, saying so for the journal; null while it
    /// runs or its keeper may still restart it (a supervisor's backoff, an engine's restart policy).
    /// </summary>
    public string? EndedReason { get; init; }

    public bool Ended => EndedReason is not null;

    public int Restarts { get; init; }

    public int? LastExitCode { get; init; }

    /// <summary>The host pid of its main process while it runs, for the journal.</summary>
    public int? Pid { get; init; }

    /// <summary>Docker: the image id the container runs.</summary>
    public string? ImageId { get; init; }

    /// <summary>Docker: when the container last started.</summary>
    public DateTimeOffset? StartedAt { get; init; }
}
