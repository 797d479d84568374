using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Pipeline;

/// <summary>One deployment as the pipeline carries it from phase to phase.</summary>
internal sealed class DeploymentRun(Deployment deployment, AppSpec spec, DeployLog log)
{
    public Deployment Deployment { get; } = deployment;

    public AppSpec Spec { get; } = spec;

    public DeployLog Log { get; } = log;

    /// <summary>
    /// The app's secret values by name, read once when the run starts: injected into build steps, the migration and
    /// the generation, and already known to <see cref="Log"/>'s redactor. Never logged.
    /// </summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();

    /// <summary><paramref name="environment"/> with the app's secrets on top: the environment of a build step or migration.</summary>
    public IReadOnlyDictionary<string, string> WithSecrets(IReadOnlyDictionary<string, string> environment)
    {
        if (Secrets.Count == 0)
        {
            return environment;
        }

        var merged = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        foreach (var (name, value) in Secrets)
        {
            merged[name] = value;
        }

        return merged;
    }

    public string Id => Deployment.Id;

    public string App => Deployment.App;

    public string Env => Deployment.Env;

    /// <summary>The release this run deploys, once known (built, or chosen by a rollback).</summary>
    public Store.Release? Release { get; set; }

    /// <summary>The generation started for this run; stopped again if the run fails.</summary>
    public Candidate? Candidate { get; set; }

    /// <summary>
    /// Set while a rollout splits traffic between the stable generation and this run's candidate: puts all traffic back
    /// on the stable one. A run that fails or is cancelled calls it before it stops the candidate.
    /// </summary>
    public Func<Task>? Unsplit { get; set; }

    /// <summary>True once traffic has moved: from then on the run can no longer be undone by cancel.</summary>
    public bool Activated { get; set; }
}
