using Slipway.ControlPlane.Runtime.Docker;

namespace Slipway.ControlPlane.Runtime;

/// <summary>
/// The runtime of each generation: a new one starts where its spec says (<c>runtime:</c>); an existing one is
/// found by its instance id, so a generation started before the app switched runtimes is still stopped by the
/// runtime that runs it.
/// </summary>
internal sealed class AppRuntimes(ProcessRuntime process, DockerRuntime docker) : IAppRuntime
{
    public ProcessRuntime Process { get; } = process;

    public DockerRuntime Docker { get; } = docker;

    public IAppRuntime ForInstance(string instanceId) => DockerRuntime.IsContainerId(instanceId) ? Docker : Process;

    public Task<string> StartAsync(RuntimeStart start, CancellationToken cancellationToken) =>
        (start.Spec.Runtime == "docker" ? (IAppRuntime)Docker : Process).StartAsync(start, cancellationToken);

    public Task<InstanceState?> GetStateAsync(string instanceId, CancellationToken cancellationToken) =>
        ForInstance(instanceId).GetStateAsync(instanceId, cancellationToken);

    public Task<string> TailAsync(string instanceId, int lines, CancellationToken cancellationToken) =>
        ForInstance(instanceId).TailAsync(instanceId, lines, cancellationToken);

    public Task StopAsync(string instanceId, TimeSpan grace, CancellationToken cancellationToken) =>
        ForInstance(instanceId).StopAsync(instanceId, grace, cancellationToken);
}
