namespace Slipway.Edge.Supervision;

/// <summary>The values of <see cref="Control.Contracts.ProcessStatus.State"/>.</summary>
internal static class ProcessStates
{
    public const string Starting = "starting";
    public const string Running = "running";
    public const string Backoff = "backoff";
    public const string Stopping = "stopping";
    public const string Stopped = "stopped";
    public const string Exited = "exited";

    /// <summary>States in which the process is (or soon will be) running and must be stopped before it can be replaced.</summary>
    public static bool IsActive(string state) => state is Starting or Running or Backoff or Stopping;
}
