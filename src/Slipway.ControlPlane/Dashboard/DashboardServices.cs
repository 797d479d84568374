using Slipway.ControlPlane.Api;
using Slipway.ControlPlane.Dashboard.EdgeCharts;
using Slipway.ControlPlane.Dashboard.Pages;

namespace Slipway.ControlPlane.Dashboard;

/// <summary>What the dashboard's pages read and act through: the admin API's own services, so a button does exactly what the API call does.</summary>
internal sealed record DashboardServices(AdminApi.Services Api, DashboardSessions Sessions, EdgeSampler Edge, TimeProvider Time)
{
    public ServerVersion Version { get; } = ServerVersion.Parse(Api.Manifest);

    /// <summary>Extra sections of the deployment page, in order: a canary's rollout steps, decisions and analysis figures.</summary>
    public IReadOnlyList<IDeploymentPanel> DeploymentPanels { get; init; } = [new RolloutPanel(Api.Store, Time)];
}
