namespace Slipway.ControlPlane.SelfDeploy;

/// <summary>Timing of a control-plane self-deploy.</summary>
internal sealed record SelfDeployOptions
{
    /// <summary>How long the new instance has, after the admin route swap, to take the lease and complete the handoff.</summary>
    public TimeSpan HandoffCeiling { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Added to the ceiling for the replaced instance's drain, so the synchronous caller's request is never cut.</summary>
    public TimeSpan DrainSlack { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);
}
