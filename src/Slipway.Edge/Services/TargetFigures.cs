using Slipway.Edge.Control.Contracts;

namespace Slipway.Edge.Services;

/// <summary>One target's figures as the metrics label them: its service, id and role (<c>active</c>, <c>canary</c>, <c>draining</c>).</summary>
public sealed record TargetFigures(string Service, string Target, string Role, TargetStatsSnapshot Stats);
