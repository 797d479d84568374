using System.Text.Json.Serialization;

namespace Slipway.ControlPlane.Store;

/// <summary>
/// A phase of a deployment (docs/architecture.md §3), shared by the app pipeline, the self-deploy pipeline, the fault
/// points and the store, so they compare values instead of phase names. Its <see cref="Name"/> is what the database,
/// the journal, the API and messages show; <see cref="ToString"/> gives it, so interpolating a phase reads as before.
/// </summary>
[JsonConverter(typeof(DeploymentPhaseJsonConverter))]
internal sealed record DeploymentPhase
{
    public static readonly DeploymentPhase Queued = new("queued");

    /// <summary>A declared secret is missing; checked before anything is fetched.</summary>
    public static readonly DeploymentPhase Secrets = new("secrets");

    public static readonly DeploymentPhase Source = new("source");

    public static readonly DeploymentPhase Build = new("build");

    public static readonly DeploymentPhase Release = new("release");

    public static readonly DeploymentPhase Migrate = new("migrate");

    public static readonly DeploymentPhase Start = new("start");

    public static readonly DeploymentPhase Validate = new("validate");

    public static readonly DeploymentPhase Rollout = new("rollout");

    public static readonly DeploymentPhase Activate = new("activate");

    /// <summary>Self-deploy only: the old control plane hands the lease to the candidate (§7).</summary>
    public static readonly DeploymentPhase Handoff = new("handoff");

    public static readonly DeploymentPhase Drain = new("drain");

    public static readonly DeploymentPhase Done = new("done");

    private DeploymentPhase(string name) => Name = name;

    /// <summary>Every phase, in the order a deployment can pass them.</summary>
    public static IReadOnlyList<DeploymentPhase> All { get; } =
        [Queued, Secrets, Source, Build, Release, Migrate, Start, Validate, Rollout, Activate, Handoff, Drain, Done];

    public string Name { get; }

    /// <summary>
    /// The phase named <paramref name="name"/>. A name this version does not know (a row written by another version)
    /// is kept as it is, equal to no phase here but shown unchanged.
    /// </summary>
    public static DeploymentPhase Parse(string name) => All.FirstOrDefault(p => p.Name == name) ?? new DeploymentPhase(name);

    public override string ToString() => Name;
}
