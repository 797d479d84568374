namespace Slipway.Edge.Control.Contracts;

/// <summary>Answer of a successful set-targets call.</summary>
public sealed record SetTargetsResult
{
    public IReadOnlyList<string> Activated { get; init; } = [];

    public IReadOnlyList<string> Drained { get; init; } = [];

    /// <summary>Time from the call until the new targets were healthy and swapped in.</summary>
    public long SwapMs { get; init; }

    /// <summary>Time the drain took; null while it is still running (WaitForDrain = false).</summary>
    public long? DrainMs { get; init; }

    /// <summary>Requests still in flight on drained targets when the drain deadline closed them.</summary>
    public int AbortedAtDeadline { get; init; }
}

/// <summary>Error body of every control-API call that fails.</summary>
public sealed record ControlError
{
    public string Error { get; init; } = "";

    /// <summary>The request field at fault, when there is one.</summary>
    public string? Field { get; init; }

    /// <summary>For a refused swap: the last probe result of each new target.</summary>
    public IReadOnlyList<ProbeResult>? LastProbes { get; init; }
}

public sealed record ProbeResult
{
    public string Target { get; init; } = "";

    public bool Ok { get; init; }

    /// <summary>HTTP status, or null when no answer came.</summary>
    public int? Status { get; init; }

    public string? Error { get; init; }

    public DateTimeOffset At { get; init; }
}
