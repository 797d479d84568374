using Microsoft.Extensions.Logging.Abstractions;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Persistence;
using Slipway.Edge.Services;
using Slipway.Edge.Supervision;
using Slipway.Edge.Tests.Forwarding;

namespace Slipway.Edge.Tests.Persistence;

public sealed class EdgeStatePersisterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("slipway-persist-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Changes_ServiceAndProcess_AreSavedToTheStateFile()
    {
        var store = new EdgeStateStore(Path.Combine(_directory, "state.json"));
        await using var services = new ServiceRegistry(TimeProvider.System, NullLoggerFactory.Instance);
        var supervisor = new ProcessSupervisor(Path.Combine(_directory, "logs"), TimeProvider.System, NullLogger<ProcessSupervisor>.Instance);
        await using var persister = new EdgeStatePersister(store, services, supervisor, TimeProvider.System, NullLogger.Instance);
        try
        {
            services.Upsert("web", new ServiceDefinition());
            supervisor.Start(new ProcessDefinition { Id = "web-g1", Command = "exec sleep 300", WorkingDirectory = _directory, StopGraceMs = 1000 });

            await Poll.UntilAsync(
                () => File.Exists(store.Path) && store.Load() is { Services.Count: 1, Processes.Count: 1 },
                TimeSpan.FromSeconds(10),
                "both changes in the state file");
            Assert.Equal(ProcessState.Running, store.Load().Processes[0].State);
        }
        finally
        {
            await supervisor.ShutdownAsync(stopProcesses: true, CancellationToken.None);
        }
    }
}
