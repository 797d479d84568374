namespace Slipway.ControlPlane.Pipeline.Canary;

/// <summary>The rollout stopped (analysis or operator): the stable generation serves alone again.</summary>
internal sealed class RolloutAbortedException(string reason) : Exception(reason);
