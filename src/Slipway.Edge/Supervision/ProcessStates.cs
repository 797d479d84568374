using Slipway.Edge.Control.Contracts;

namespace Slipway.Edge.Supervision;

/// <summary>What the supervisor concludes from a <see cref="ProcessState"/>.</summary>
internal static class ProcessStates
{
    /// <summary>States in which the process is (or soon will be) running and must be stopped before it can be replaced.</summary>
    public static bool IsActive(ProcessState state) =>
        state is ProcessState.Starting or ProcessState.Running or ProcessState.Backoff or ProcessState.Stopping;
}
