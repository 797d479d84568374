using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Persistence;
using Slipway.Edge.Services;

namespace Slipway.Edge.Tests.Persistence;

public sealed class EdgeStateStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("slipway-state-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task SaveAsync_ThenLoad_RoundTripsServicesAndProcesses()
    {
        var store = new EdgeStateStore(Path.Combine(_directory, "edge", "state.json"));
        var state = new EdgeState
        {
            Services =
            [
                new PersistedService
                {
                    Name = "web",
                    Definition = new ServiceDefinition { Routes = [new RouteDefinition { Host = "app.example.com", Path = "/api" }], LoadBalancing = "least-in-flight" },
                    Targets = [new TargetDefinition { Id = "web-g1", Url = "http://127.0.0.1:20001" }],
                    Paused = true,
                    Maintenance = "back soon",
                },
            ],
            Processes =
            [
                new ProcessStatus
                {
                    Id = "web-g1",
                    State = ProcessState.Running,
                    Pid = 4242,
                    StartTicks = 987654,
                    Restarts = 2,
                    BackoffMs = 2000,
                    LogFile = "/var/log/web.log",
                    Definition = new ProcessDefinition
                    {
                        Id = "web-g1",
                        Command = "exec ./web",
                        WorkingDirectory = "/srv/web",
                        Environment = new Dictionary<string, string> { ["PORT"] = "20001" },
                        Port = 20001,
                    },
                },
            ],
        };

        await store.SaveAsync(state, CancellationToken.None);
        var loaded = store.Load();

        var service = Assert.Single(loaded.Services);
        Assert.Equal("web", service.Name);
        Assert.Equal("app.example.com", Assert.Single(service.Definition.Routes).Host);
        Assert.Equal("least-in-flight", service.Definition.LoadBalancing);
        Assert.Equal("http://127.0.0.1:20001", Assert.Single(service.Targets).Url);
        Assert.True(service.Paused);
        Assert.Equal("back soon", service.Maintenance);
        var process = Assert.Single(loaded.Processes);
        Assert.Equal((4242, 987654L, 2, 2000), (process.Pid!.Value, process.StartTicks!.Value, process.Restarts, process.BackoffMs!.Value));
        Assert.Equal("20001", process.Definition.Environment["PORT"]);
    }

    [Fact]
    public async Task SaveAsync_Repeatedly_LeavesOnlyTheStateFile()
    {
        var path = Path.Combine(_directory, "state.json");
        var store = new EdgeStateStore(path);

        for (var i = 0; i < 5; i++)
        {
            await store.SaveAsync(new EdgeState { Processes = [new ProcessStatus { Id = $"p{i}" }] }, CancellationToken.None);
        }

        Assert.Equal([path], Directory.GetFiles(_directory));
        Assert.Equal("p4", Assert.Single(store.Load().Processes).Id);
    }

    [Fact]
    public void Load_NoFile_ReturnsEmptyState()
    {
        var state = new EdgeStateStore(Path.Combine(_directory, "missing", "state.json")).Load();

        Assert.Empty(state.Services);
        Assert.Empty(state.Processes);
    }

    [Fact]
    public void Load_CorruptFile_ThrowsClearErrorAndLeavesTheFile()
    {
        var path = Path.Combine(_directory, "state.json");
        File.WriteAllText(path, "{\"version\":1,\"services\":[{\"name\":");
        var store = new EdgeStateStore(path);

        var error = Assert.Throws<EdgeStateCorruptException>(store.Load);

        Assert.Contains(path, error.Message);
        Assert.Contains("will not overwrite", error.Message);
        Assert.Equal("{\"version\":1,\"services\":[{\"name\":", File.ReadAllText(path));
    }

    [Fact]
    public void Load_UnknownVersion_ThrowsClearError()
    {
        var path = Path.Combine(_directory, "state.json");
        File.WriteAllText(path, "{\"version\":99}");

        var error = Assert.Throws<EdgeStateCorruptException>(new EdgeStateStore(path).Load);

        Assert.Contains("version 99", error.Message);
    }
}
