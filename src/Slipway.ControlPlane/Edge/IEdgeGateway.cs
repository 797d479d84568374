using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Edge;

/// <summary>
/// What the control plane needs from the edge: supervised processes and service routing. The real
/// implementation talks to the edge's Unix-socket control API; keeping it an interface lets the pipeline
/// read as the phases it runs rather than as HTTP calls.
/// </summary>
internal interface IEdgeGateway
{
    Task<ProcessStatus> StartProcessAsync(ProcessDefinition definition, CancellationToken cancellationToken);

    Task<ProcessStatus?> GetProcessAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<ProcessStatus>> ListProcessesAsync(CancellationToken cancellationToken);

    /// <summary>Stops the process (SIGTERM, grace, SIGKILL) and forgets it. A no-op for an unknown id.</summary>
    Task StopProcessAsync(string id, TimeSpan grace, CancellationToken cancellationToken);

    Task<string> TailProcessAsync(string id, int lines, CancellationToken cancellationToken);

    Task UpsertServiceAsync(string name, ServiceDefinition definition, CancellationToken cancellationToken);

    Task<ServiceStatus?> GetServiceAsync(string name, CancellationToken cancellationToken);

    Task<SetTargetsResult> SetTargetsAsync(string name, SetTargetsRequest request, CancellationToken cancellationToken);

    Task DeleteServiceAsync(string name, CancellationToken cancellationToken);
}
