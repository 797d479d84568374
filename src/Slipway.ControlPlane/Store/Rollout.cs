namespace Slipway.ControlPlane.Store;

/// <summary>A deployment's progressive delivery as the store keeps it (table <c>rollouts</c>, docs/rollout.md).</summary>
internal sealed record Rollout
{
    public required string DeploymentId { get; init; }

    public required string App { get; init; }

    public required string Env { get; init; }

    public IReadOnlyList<int> Steps { get; init; } = [];

    /// <summary>A one-off canary (<c>deploy --canary</c>): stays at its share until promoted or aborted.</summary>
    public bool Hold { get; init; }

    /// <summary><c>requested</c>, <c>running</c>, <c>paused</c>, <c>promoting</c>, <c>promoted</c> or <c>aborted</c>.</summary>
    public required string State { get; init; }

    /// <summary>Index into <see cref="Steps"/>; -1 before the first step.</summary>
    public int Step { get; init; } = -1;

    /// <summary>The share of new sessions the edge gives the canary now.</summary>
    public int Weight { get; init; }

    public long? StableGeneration { get; init; }

    public long? CanaryGeneration { get; init; }

    /// <summary>An operator's <c>promote</c>, <c>abort</c>, <c>pause</c> or <c>resume</c> not yet applied.</summary>
    public string? Command { get; init; }

    /// <summary>Why it ended (aborted) or waits (paused).</summary>
    public string? Reason { get; init; }

    public IReadOnlyList<RolloutDecision> Decisions { get; init; } = [];

    public DateTimeOffset UpdatedAt { get; init; }

    public bool IsOpen => State is RolloutStates.Requested or RolloutStates.Running or RolloutStates.Paused or RolloutStates.Promoting;
}

/// <summary>One journaled step or decision of a rollout, with the window's figures it was made on.</summary>
internal sealed record RolloutDecision
{
    public DateTimeOffset At { get; init; }

    public int Step { get; init; }

    public int Weight { get; init; }

    /// <summary><c>step</c>, <c>advance</c>, <c>abort</c>, <c>hold</c>, <c>wait</c>, <c>pause</c>, <c>resume</c> or <c>promote</c>.</summary>
    public required string Decision { get; init; }

    public string Reason { get; init; } = "";

    /// <summary>Who decided: <c>analysis</c>, <c>operator</c> or <c>recovery</c>.</summary>
    public string By { get; init; } = "analysis";

    public WindowFigures? Canary { get; init; }

    public WindowFigures? Stable { get; init; }
}

/// <summary>What one side answered over an analysis window.</summary>
internal sealed record WindowFigures
{
    public long Requests { get; init; }

    /// <summary>5xx answers plus transport errors.</summary>
    public long Errors { get; init; }

    public double ErrorRate { get; init; }

    public double? P99Ms { get; init; }
}

internal static class RolloutStates
{
    public const string Requested = "requested";
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Promoting = "promoting";
    public const string Promoted = "promoted";
    public const string Aborted = "aborted";
}
