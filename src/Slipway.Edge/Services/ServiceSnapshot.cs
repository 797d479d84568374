using System.Collections.Immutable;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.LoadBalancing;

namespace Slipway.Edge.Services;

/// <summary>Everything the request path needs to know about one service, replaced whole on every change.</summary>
internal sealed record ServiceSnapshot
{
    public required string Name { get; init; }

    public required ServiceDefinition Definition { get; init; }

    public LoadBalancingPolicy Policy { get; init; }

    public ImmutableArray<Target> Active { get; init; } = [];

    public ImmutableArray<Target> Canary { get; init; } = [];

    public int CanaryWeight { get; init; }

    public string CanaryCookie { get; init; } = "slipway-canary";

    public ImmutableArray<Target> Draining { get; init; } = [];

    public bool Paused { get; init; }

    public string? Maintenance { get; init; }

    public bool HasTargets => !Active.IsEmpty || !Canary.IsEmpty;

    public IEnumerable<Target> Routable => Active.Concat(Canary);

    public ServiceStatus ToStatus() => new()
    {
        Name = Name,
        Definition = Definition,
        Targets = [.. Active.Select(t => t.ToStatus())],
        Canary = [.. Canary.Select(t => t.ToStatus())],
        CanaryWeight = Canary.IsEmpty ? 0 : CanaryWeight,
        Draining = [.. Draining.Select(t => t.ToStatus())],
        Paused = Paused,
        Maintenance = Maintenance,
    };
}
