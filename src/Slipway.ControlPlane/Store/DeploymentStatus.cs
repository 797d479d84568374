namespace Slipway.ControlPlane.Store;

/// <summary>Stored lowercase with underscores (<c>rolled_back</c>). Everything but queued and running is terminal.</summary>
internal enum DeploymentStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Superseded,
    RolledBack,
}
