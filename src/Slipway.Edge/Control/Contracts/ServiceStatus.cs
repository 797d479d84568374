namespace Slipway.Edge.Control.Contracts;

/// <summary>Answer of <c>GET /services/{name}</c> (and items of <c>GET /services</c>).</summary>
public sealed record ServiceStatus
{
    public string Name { get; init; } = "";

    public ServiceDefinition Definition { get; init; } = new();

    public IReadOnlyList<TargetStatus> Targets { get; init; } = [];

    public IReadOnlyList<TargetStatus> Canary { get; init; } = [];

    /// <summary>The percentage of new sessions sent to <see cref="Canary"/>; 0 without a canary.</summary>
    public int CanaryWeight { get; init; }

    public IReadOnlyList<TargetStatus> Draining { get; init; } = [];

    public bool Paused { get; init; }

    /// <summary>Null when not in maintenance, else the message shown to clients.</summary>
    public string? Maintenance { get; init; }
}

public sealed record TargetStatus
{
    public string Id { get; init; } = "";

    public string Url { get; init; } = "";

    public TargetHealth Health { get; init; } = TargetHealth.Unknown;

    public int InFlight { get; init; }

    public ProbeResult? LastProbe { get; init; }

    /// <summary>What the target answered since it joined the edge (docs/edge-control-api.md, "Per-target figures").</summary>
    public TargetStatsSnapshot? Stats { get; init; }
}

public sealed record MaintenanceRequest
{
    public bool Enabled { get; init; } = true;

    public string Message { get; init; } = "This service is under maintenance. Please try again shortly.";
}
