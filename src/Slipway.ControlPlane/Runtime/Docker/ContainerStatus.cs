using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>
/// The engine's container statuses (<c>created</c>, <c>running</c>, <c>paused</c>, <c>restarting</c>, <c>removing</c>,
/// <c>exited</c>, <c>dead</c>), interpreted here once so nothing downstream compares the engine's words.
/// </summary>
internal static class ContainerStatus
{
    public static bool IsRunning(string status) => status == "running";

    /// <summary>The status in the edge supervisor's terms, which <see cref="InstanceState"/> speaks for every runtime.</summary>
    public static ProcessState ToProcessState(string status) => status switch
    {
        "running" => ProcessState.Running,
        // The engine's restart policy at work: it comes back by itself, as from the supervisor's backoff.
        "restarting" => ProcessState.Backoff,
        "removing" => ProcessState.Stopping,
        "exited" or "dead" => ProcessState.Exited,
        // created, paused: down until someone starts it.
        _ => ProcessState.Stopped,
    };
}
