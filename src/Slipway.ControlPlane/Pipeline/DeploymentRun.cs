using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Pipeline;

/// <summary>One deployment as the pipeline carries it from phase to phase.</summary>
internal sealed class DeploymentRun(Deployment deployment, AppSpec spec, DeployLog log)
{
    public Deployment Deployment { get; } = deployment;

    public AppSpec Spec { get; } = spec;

    public DeployLog Log { get; } = log;

    public string Id => Deployment.Id;

    public string App => Deployment.App;

    public string Env => Deployment.Env;

    /// <summary>The release this run deploys, once known (built, or chosen by a rollback).</summary>
    public Store.Release? Release { get; set; }

    /// <summary>The generation started for this run; stopped again if the run fails.</summary>
    public Candidate? Candidate { get; set; }

    /// <summary>True once traffic has moved: from then on the run can no longer be undone by cancel.</summary>
    public bool Activated { get; set; }
}
