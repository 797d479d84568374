using Slipway.ControlPlane.Spec;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Pipeline.Canary;

/// <summary>What one rollout runs: its steps, whether it holds at the last one, its rules, and the generation it splits with.</summary>
internal sealed record RolloutPlan(IReadOnlyList<int> Steps, bool Hold, TimeSpan Pause, AnalysisSpec Analysis, long StableGeneration, TargetDefinition Stable);
