namespace Slipway.ControlPlane.Runtime.Swarm;

/// <summary>What a generation's service is created with.</summary>
internal sealed record SwarmServiceCreate
{
    public required string Name { get; init; }

    /// <summary>A repository pinned by digest (<c>registry/name@sha256:...</c>): every node runs the same bytes.</summary>
    public required string Image { get; init; }

    public required int Replicas { get; init; }

    public IReadOnlyList<string> Constraints { get; init; } = [];

    public int MaxPerNode { get; init; } = 1;

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);
}

internal sealed record SwarmService(string Id, string Name, string Image, int Replicas, IReadOnlyDictionary<string, string> Labels, DateTimeOffset? CreatedAt);

/// <summary>One task of a service, as the swarm reports it (<c>State</c>: new ... running, complete, failed, shutdown, rejected).</summary>
internal sealed record SwarmTask
{
    public required string Id { get; init; }

    public int Slot { get; init; }

    public required string NodeId { get; init; }

    public required SwarmTaskState State { get; init; }

    public required SwarmTaskState DesiredState { get; init; }

    public string? Error { get; init; }

    public string? Message { get; init; }

    public string? ContainerId { get; init; }

    public int? ExitCode { get; init; }

    public int? Pid { get; init; }

    public string? Image { get; init; }

    public DateTimeOffset? At { get; init; }

    public bool Running => State == SwarmTaskState.Running;

    /// <summary>On its way to running, or running: it may hold its node's port.</summary>
    public bool Active => State is >= SwarmTaskState.New and <= SwarmTaskState.Running;

    /// <summary>Ended by itself (not stopped by the swarm on purpose): what the swarm's restart policy replaces.</summary>
    public bool Failed => State is SwarmTaskState.Failed or SwarmTaskState.Rejected
        || (State is SwarmTaskState.Complete or SwarmTaskState.Shutdown && DesiredState != SwarmTaskState.Shutdown);
}

/// <summary>A task's state as the swarm names it (lowercase on the wire), in its lifecycle's order.</summary>
internal enum SwarmTaskState
{
    New,
    Pending,
    Assigned,
    Accepted,
    Preparing,
    Ready,
    Starting,
    Running,
    Complete,
    Shutdown,
    Failed,
    Rejected,
    Remove,
    Orphaned,
    Unknown,
}

internal sealed record SwarmNode(string Id, string Hostname, string Address, string State, string Availability, string Role)
{
    /// <summary>The swarm hears from the node (<c>Status.State</c> is <c>ready</c>); <c>down</c>, <c>disconnected</c> and <c>unknown</c> are not.</summary>
    public bool Ready => string.Equals(State, "ready", StringComparison.OrdinalIgnoreCase);
}
