using Microsoft.Extensions.Logging;
using Slipway.Edge.Control.Contracts;

namespace Slipway.Edge.Supervision;

/// <summary>
/// Starts, watches, restarts and stops the app processes the control plane asks for.
/// Surface agreed between the supervisor and the control API; bodies are filled in by the supervision work.
/// </summary>
public sealed class ProcessSupervisor : IAsyncDisposable
{
    public ProcessSupervisor(string logDirectory, TimeProvider timeProvider, ILogger<ProcessSupervisor> logger)
    {
        _ = logDirectory;
        _ = timeProvider;
        _ = logger;
    }

    /// <summary>Raised after any change worth persisting (start, exit, restart, stop, adopt).</summary>
    public event Action? Changed;

    /// <summary>Starts a process. Throws <see cref="InvalidOperationException"/> if the id is already running.</summary>
    public ProcessStatus Start(ProcessDefinition definition) => throw new NotImplementedException();

    /// <summary>SIGTERM to the group, wait up to grace (default: the definition's), SIGKILL. Null if unknown.</summary>
    public Task<ProcessStatus?> StopAsync(string id, TimeSpan? grace, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ProcessStatus? Get(string id) => throw new NotImplementedException();

    public IReadOnlyList<ProcessStatus> List() => throw new NotImplementedException();

    /// <summary>The last <paramref name="lines"/> lines of the process's log file.</summary>
    public Task<IReadOnlyList<string>> TailAsync(string id, int lines, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>
    /// After an edge restart: re-adopts each persisted process whose pid is alive with the same start time;
    /// one that is gone (or whose pid was reused) is started again if it should be running.
    /// </summary>
    public IReadOnlyList<ProcessStatus> Adopt(IEnumerable<ProcessStatus> persisted) => throw new NotImplementedException();

    /// <summary>Edge shutdown: stop watching; processes keep running unless <paramref name="stopProcesses"/>.</summary>
    public Task ShutdownAsync(bool stopProcesses, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void OnChanged() => Changed?.Invoke();
}
