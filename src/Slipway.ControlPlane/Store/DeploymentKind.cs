namespace Slipway.ControlPlane.Store;

internal enum DeploymentKind
{
    Deploy,
    Rollback,
    Promote,
}
