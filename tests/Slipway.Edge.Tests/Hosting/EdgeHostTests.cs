using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Hosting;
using Slipway.Edge.Persistence;
using Slipway.Edge.Supervision;
using Slipway.Edge.Tests.Forwarding;

namespace Slipway.Edge.Tests.Hosting;

public sealed class EdgeHostTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("slipway-host-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task StartAsync_AfterRestart_RestoresRoutingAndReadoptsTheProcess()
    {
        await using var backend = await TestBackend.StartAsync("b1");
        var first = await TestEdge.StartAsync(_home);
        ProcessStatus started;
        try
        {
            await ConfigureServiceAsync(first, backend);
            started = await first.Client.StartProcessAsync(
                new ProcessDefinition { Id = "web-g1", Command = "exec sleep 300", StopGraceMs = 2_000 }, CancellationToken.None);
        }
        finally
        {
            await first.StopKeepingProcessesAsync();
        }

        Assert.True(SupervisedProcess.IsSameProcess(started.Pid!.Value, started.StartTicks));
        await using var second = await TestEdge.StartAsync(_home);

        var process = await second.Client.GetProcessAsync("web-g1", CancellationToken.None);
        Assert.Equal(started.Pid, process!.Pid);
        Assert.True(process.Adopted);
        Assert.Equal(0, process.Restarts);
        await Poll.UntilAsync(() => second.Host.Services.Get("web")?.Targets is [{ Health: TargetHealth.Healthy }], TimeSpan.FromSeconds(10), "the restored target to be healthy");
        Assert.Contains("b1", await second.Http.GetStringAsync("/again"));
    }

    [SkippableFact]
    public async Task StartAsync_StaleSocketFile_IsReplaced()
    {
        // What an edge killed with SIGKILL leaves behind: a socket file nobody listens on. .NET removes the
        // files of sockets it closes, so another program has to make one.
        var python = new[] { "/usr/bin/python3", "/usr/local/bin/python3" }.FirstOrDefault(File.Exists);
        Skip.If(python is null, "python3 is needed to leave a stale socket file behind");
        var socketPath = Path.Combine(_home, "edge.sock");
        var info = new System.Diagnostics.ProcessStartInfo(python!) { ArgumentList = { "-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", socketPath } };
        using (var maker = System.Diagnostics.Process.Start(info)!)
        {
            await maker.WaitForExitAsync();
        }

        Assert.True(File.Exists(socketPath));
        await using var edge = await TestEdge.StartAsync(_home);

        Assert.NotNull(await edge.Client.GetVersionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task StartAsync_AnotherEdgeOnTheSameHome_Refuses()
    {
        await using var running = await TestEdge.StartAsync(_home);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestEdge.StartAsync(_home));

        Assert.Contains("already running", error.Message);
        Assert.NotNull(await running.Client.GetVersionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task StartAsync_CorruptStateFile_ThrowsAndKeepsTheFile()
    {
        var statePath = Path.Combine(_home, "edge", "state.json");
        Directory.CreateDirectory(Path.GetDirectoryName(statePath)!);
        await File.WriteAllTextAsync(statePath, "not json");

        var error = await Assert.ThrowsAsync<EdgeStateCorruptException>(() => TestEdge.StartAsync(_home));

        Assert.Contains(statePath, error.Message);
        Assert.Equal("not json", await File.ReadAllTextAsync(statePath));
        Assert.False(File.Exists(Path.Combine(_home, "edge.sock")));
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1:99999")]
    [InlineData("::1:8080")]
    [InlineData("example.com:80")]
    public async Task StartAsync_BadHttpAddress_ThrowsNamingTheOption(string address)
    {
        var options = TestEdge.Options(_home) with { Http = address };

        var error = await Assert.ThrowsAsync<EdgeOptionsException>(() => EdgeHost.StartAsync(options, CancellationToken.None));

        Assert.Equal("--http", error.Option);
        Assert.Contains("HOST:PORT", error.Message);
    }

    [Fact]
    public async Task AdminListener_AnyHostAndPath_GoesToTheSlipwayService()
    {
        await using var backend = await TestBackend.StartAsync("control-plane");
        await using var edge = await TestEdge.StartAsync(_home, admin: true);
        await edge.Client.PutServiceAsync(EdgeHost.AdminService, new ServiceDefinition
        {
            // Deliberately unroutable on the public listener: the admin listener ignores routes.
            Routes = [new RouteDefinition { Host = "nowhere.invalid", Path = "/" }],
            Health = new HealthCheckDefinition { IntervalMs = 100, HealthyThreshold = 1 },
        }, CancellationToken.None);
        await edge.Client.SetTargetsAsync(EdgeHost.AdminService, new SetTargetsRequest
        {
            Targets = [new TargetDefinition { Url = backend.Url }],
            DeployTimeoutMs = 10_000,
        }, CancellationToken.None);
        using var admin = new HttpClient { BaseAddress = new Uri($"http://{edge.Host.AdminEndpoint}/") };

        var viaAdmin = await admin.GetAsync("/api/v1/apps");
        var viaPublic = await edge.Http.GetAsync("/api/v1/apps");

        Assert.Contains("control-plane", await viaAdmin.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.NotFound, viaPublic.StatusCode);
    }

    private static async Task ConfigureServiceAsync(TestEdge edge, TestBackend backend)
    {
        await edge.Client.PutServiceAsync("web", new ServiceDefinition
        {
            Routes = [new RouteDefinition { Host = "*", Path = "/" }],
            Health = new HealthCheckDefinition { IntervalMs = 100, HealthyThreshold = 1 },
        }, CancellationToken.None);
        await edge.Client.SetTargetsAsync("web", new SetTargetsRequest
        {
            Targets = [new TargetDefinition { Id = "b1", Url = backend.Url }],
            DeployTimeoutMs = 10_000,
        }, CancellationToken.None);
        Assert.Contains("b1", await edge.Http.GetStringAsync("/"));
    }
}
