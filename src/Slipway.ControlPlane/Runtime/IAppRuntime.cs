namespace Slipway.ControlPlane.Runtime;

/// <summary>
/// Where a generation runs: a process supervised by the edge, or a container owned by the Docker engine. The
/// pipeline starts candidates, watches them through validation, reads their output and stops them through
/// this, so the phases read the same whatever runs the app. Instance ids are what the store keeps as a
/// generation's process id and the edge uses as its target id.
/// </summary>
internal interface IAppRuntime
{
    /// <returns>The instance id of the started generation.</returns>
    Task<string> StartAsync(RuntimeStart start, CancellationToken cancellationToken);

    /// <returns>Its state, or null when the runtime does not know the instance.</returns>
    Task<InstanceState?> GetStateAsync(string instanceId, CancellationToken cancellationToken);

    Task<string> TailAsync(string instanceId, int lines, CancellationToken cancellationToken);

    /// <summary>SIGTERM, <paramref name="grace"/>, SIGKILL, then forgets the instance. A no-op for an unknown id.</summary>
    Task StopAsync(string instanceId, TimeSpan grace, CancellationToken cancellationToken);
}
