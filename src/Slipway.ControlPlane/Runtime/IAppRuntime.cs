using Microsoft.Extensions.Logging;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Runtime;

/// <summary>
/// Where a generation runs: a process supervised by the edge, or a container owned by the Docker engine. Everything
/// that differs between runtimes is here, so the pipeline's phases, the reconciler's converge loop and startup
/// recovery read the same whatever runs the app; <see cref="AppRuntimes"/> picks the implementation. Instance ids
/// are what the store keeps as a generation's process id and the edge uses as its target id.
/// </summary>
internal interface IAppRuntime
{
    RuntimeKind Kind { get; }

    /// <summary>How current generations are kept alive, for the reconciler.</summary>
    Liveness Liveness { get; }

    /// <summary>
    /// True when a generation runs the release tree on disk, so a promotion hashes the tree again before it starts
    /// anything; false when it runs an artifact built from the tree and pinned by id, which validation checks.
    /// </summary>
    bool RunsReleaseTree { get; }

    /// <summary>Whether <paramref name="instanceId"/> has the form of this runtime's instance ids.</summary>
    bool Owns(string instanceId);

    /// <summary>
    /// Makes the artifact a generation of the release runs, before anything starts: nothing for a process, the image
    /// (built again from the tree when it was pruned) for a container.
    /// </summary>
    /// <returns>The release as the ledger has it now (with its image id, say).</returns>
    Task<Store.Release> PrepareAsync(AppSpec spec, Store.Release release, Action<string> log, CancellationToken cancellationToken);

    /// <summary>What a generation of the release runs, for the deploy log.</summary>
    /// <exception cref="Pipeline.DeployFailedException">The spec gives it nothing to run; thrown before a generation is recorded.</exception>
    string Describe(AppSpec spec, Store.Release release);

    Task<StartedInstance> StartAsync(RuntimeStart start, CancellationToken cancellationToken);

    /// <summary>The edge's targets for a generation: today one per instance, on the loopback port it was given.</summary>
    Task<IReadOnlyList<TargetDefinition>> TargetsAsync(string instanceId, int port, CancellationToken cancellationToken);

    /// <returns>Its state, or null when the runtime does not know the instance.</returns>
    Task<InstanceState?> GetStateAsync(string instanceId, CancellationToken cancellationToken);

    Task<string> TailAsync(string instanceId, int lines, CancellationToken cancellationToken);

    /// <summary>SIGTERM, <paramref name="grace"/>, SIGKILL, then forgets the instance. A no-op for an unknown id.</summary>
    Task StopAsync(string instanceId, TimeSpan grace, CancellationToken cancellationToken);

    /// <summary>After a successful deploy: removes artifacts of releases beyond <c>keep_releases</c> that nothing runs. Never throws for the runtime's own errors; logs them.</summary>
    Task PruneAsync(AppSpec spec, Action<string> log, CancellationToken cancellationToken);

    /// <summary>Called once when a generation is first seen current: from now on its keeper restarts it when it crashes.</summary>
    Task KeepAliveAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>Starts a current generation again (its instance ended, went missing, or stays unhealthy).</summary>
    /// <returns>False when it cannot be: what it ran is no longer recorded.</returns>
    Task<bool> RestartAsync(RuntimeRestart restart, CancellationToken cancellationToken);

    /// <summary>
    /// Recovery: stops what a candidate generation may have started before the control plane stopped but whose instance
    /// id never reached the store. A no-op where instance ids are known before the start.
    /// </summary>
    Task StopUnrecordedAsync(Generation generation, CancellationToken cancellationToken);

    /// <summary>
    /// Recovery, once candidates are stopped: brings the runtime's own instances in line with the live generations of
    /// the store (docs/architecture.md §6).
    /// </summary>
    /// <returns>How many orphans it stopped.</returns>
    Task<int> RecoverAsync(ILogger logger, CancellationToken cancellationToken);
}
