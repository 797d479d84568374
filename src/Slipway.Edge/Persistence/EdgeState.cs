using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Services;

namespace Slipway.Edge.Persistence;

/// <summary>What <c>HOME/edge/state.json</c> holds: everything the edge needs to restore routing and re-adopt processes.</summary>
public sealed record EdgeState
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    public IReadOnlyList<PersistedService> Services { get; init; } = [];

    public IReadOnlyList<ProcessStatus> Processes { get; init; } = [];
}
