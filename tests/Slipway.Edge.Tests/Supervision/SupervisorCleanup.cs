using Slipway.Edge.Supervision;

namespace Slipway.Edge.Tests.Supervision;

/// <summary>
/// What a supervisor test started, torn down at its end: supervisors shut down with their processes, then any
/// tracked process group still alive killed (nothing a test started may outlive it), then the directory removed.
/// </summary>
internal sealed class SupervisorCleanup(string prefix) : IAsyncDisposable
{
    private readonly List<ProcessSupervisor> _supervisors = [];
    private readonly List<(int Pid, long? Ticks)> _groups = [];

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory(prefix).FullName;

    public ProcessSupervisor Track(ProcessSupervisor supervisor)
    {
        _supervisors.Add(supervisor);
        return supervisor;
    }

    public void TrackGroup(int pid, long? startTicks) => _groups.Add((pid, startTicks));

    public async ValueTask DisposeAsync()
    {
        foreach (var supervisor in _supervisors)
        {
            await supervisor.ShutdownAsync(stopProcesses: true, CancellationToken.None);
        }

        foreach (var (pid, ticks) in _groups)
        {
            if (SupervisedProcess.IsSameProcess(pid, ticks))
            {
                ProcessSignals.SignalGroup(pid, ProcessSignals.SigKill);
            }
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
