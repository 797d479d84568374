using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Dashboard;

/// <summary>
/// A section of the deployment page beyond the phase timeline and the log: the place for a canary rollout's
/// steps and analysis figures. Returns safe markup (build it with <see cref="Html"/>), or null to show nothing
/// for this deployment. Panels are listed in <see cref="DashboardServices.DeploymentPanels"/> and rendered in
/// order between the timeline and the log.
/// </summary>
internal interface IDeploymentPanel
{
    string? Render(Deployment deployment);
}
