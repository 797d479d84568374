namespace Slipway.Edge.Draining;

internal sealed record DrainOutcome(IReadOnlyList<string> Drained, long DrainMs, int AbortedAtDeadline);
