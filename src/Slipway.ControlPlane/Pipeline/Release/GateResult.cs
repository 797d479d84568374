namespace Slipway.ControlPlane.Pipeline.Release;

/// <summary>How one build step (gate) ended, as recorded in <c>release.json</c>.</summary>
internal sealed record GateResult(string Name, int ExitCode, long DurationMs);
