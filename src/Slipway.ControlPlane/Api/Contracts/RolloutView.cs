using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Api.Contracts;

/// <summary>
/// A deployment's rollout (docs/rollout.md), on <c>GET /api/v1/deployments/{id}</c> as <c>rollout</c> and on
/// <c>GET /api/v1/apps/{app}/rollout</c>: where it is, what it waits for, and every step and decision with its figures.
/// </summary>
public sealed record RolloutView
{
    /// <summary><c>requested</c>, <c>running</c>, <c>paused</c>, <c>promoting</c>, <c>promoted</c> or <c>aborted</c>.</summary>
    public required string State { get; init; }

    /// <summary>The canary's share at each step, in percent.</summary>
    public IReadOnlyList<int> Steps { get; init; } = [];

    /// <summary>The step running now, from 1; 0 before the first.</summary>
    public int Step { get; init; }

    /// <summary>The canary's share of new sessions now, in percent.</summary>
    public int Weight { get; init; }

    /// <summary>A one-off canary (<c>deploy --canary</c>) that stays at its share until promoted or aborted.</summary>
    public bool Hold { get; init; }

    public int? StableGeneration { get; init; }

    public int? CanaryGeneration { get; init; }

    /// <summary>An operator's command not yet applied (<c>promote</c>, <c>abort</c>, <c>pause</c>, <c>resume</c>).</summary>
    public string? PendingCommand { get; init; }

    /// <summary>Why it was aborted (or paused).</summary>
    public string? Reason { get; init; }

    public IReadOnlyList<RolloutDecisionView> Decisions { get; init; } = [];

    /// <summary>Only on <c>GET /apps/{app}/rollout</c>: the edge's figures for both sides since each joined, read now.</summary>
    public IReadOnlyList<RolloutTargetView>? Targets { get; init; }
}

public sealed record RolloutDecisionView
{
    public DateTimeOffset At { get; init; }

    /// <summary>From 1.</summary>
    public int Step { get; init; }

    public int Weight { get; init; }

    /// <summary><c>step</c>, <c>advance</c>, <c>hold</c>, <c>abort</c>, <c>pause</c>, <c>resume</c>, <c>promote</c> or <c>done</c>.</summary>
    public required string Decision { get; init; }

    public string Reason { get; init; } = "";

    /// <summary><c>analysis</c>, <c>operator</c> or <c>recovery</c>.</summary>
    public string By { get; init; } = "analysis";

    /// <summary>The canary's figures over the window the decision was made on.</summary>
    public WindowFiguresView? Canary { get; init; }

    /// <summary>The stable generation's figures over the same window.</summary>
    public WindowFiguresView? Stable { get; init; }
}

public sealed record WindowFiguresView
{
    public long Requests { get; init; }

    /// <summary>5xx answers plus transport errors.</summary>
    public long Errors { get; init; }

    /// <summary>Errors / requests, 0–1.</summary>
    public double ErrorRate { get; init; }

    public double? P99Ms { get; init; }
}

public sealed record RolloutTargetView
{
    public required string Id { get; init; }

    /// <summary><c>canary</c> or <c>stable</c>.</summary>
    public required string Role { get; init; }

    public TargetHealth Health { get; init; } = TargetHealth.Unknown;

    public long Requests { get; init; }

    public long Status5xx { get; init; }

    public long TransportErrors { get; init; }

    public double? P99Ms { get; init; }
}

/// <summary>Body of <c>POST /api/v1/apps/{app}/rollout/{promote|abort|pause|resume}</c>.</summary>
public sealed record RolloutCommandRequest
{
    /// <summary>The environment whose rollout to steer; defaults to the one with a rollout running.</summary>
    public string? Env { get; init; }
}
