namespace Slipway.Edge.Control.Contracts;

/// <summary>
/// Body of <c>POST /services/{name}/targets</c>: health-check the new targets until healthy or
/// <see cref="DeployTimeoutMs"/>, swap atomically, then drain the replaced targets.
/// </summary>
public sealed record SetTargetsRequest
{
    public IReadOnlyList<TargetDefinition> Targets { get; init; } = [];

    public int DeployTimeoutMs { get; init; } = 30_000;

    public int DrainTimeoutMs { get; init; } = 30_000;

    /// <summary>
    /// When false the call answers right after the swap and the drain goes on in the background
    /// (its progress shows in the service status). The control plane uses this to record the
    /// promotion as soon as traffic has moved.
    /// </summary>
    public bool WaitForDrain { get; init; } = true;

    /// <summary>
    /// Consecutive passing probes a new target needs before the swap; null means the service's
    /// <c>health.healthyThreshold</c>. The control plane, which has already validated the candidate
    /// itself, asks for 1 so the swap costs one probe, not several probe intervals. Later health changes
    /// use the service's thresholds.
    /// </summary>
    public int? RequiredPasses { get; init; }

    /// <summary>Optional canary: a second target set that receives a share of new requests.</summary>
    public CanaryDefinition? Canary { get; init; }
}

public sealed record TargetDefinition
{
    /// <summary>Stable id (the control plane uses <c>app-env-gN</c>); defaults to the URL.</summary>
    public string? Id { get; init; }

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:20001</c>.</summary>
    public string Url { get; init; } = "";
}

public sealed record CanaryDefinition
{
    public IReadOnlyList<TargetDefinition> Targets { get; init; } = [];

    /// <summary>Percentage (0–100) of new, cookie-less requests sent to the canary.</summary>
    public int Weight { get; init; }

    /// <summary>Cookie that keeps a client on the side it first landed on.</summary>
    public string Cookie { get; init; } = "slipway-canary";
}
