using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Slipway.Edge.Control;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Tests.Forwarding;
using Slipway.Edge.Tests.Hosting;

namespace Slipway.Edge.Tests.Control;

public sealed class ControlApiTests : IAsyncLifetime
{
    private TestEdge _edge = null!;

    public async Task InitializeAsync() => _edge = await TestEdge.StartAsync();

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void ControlSocket_AfterStart_IsOnlyForItsOwner()
    {
        var mode = File.GetUnixFileMode(_edge.Host.ControlSocketPath);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Fact]
    public async Task PutService_MalformedJson_Returns400NamingTheField()
    {
        var (status, error) = await SendRawAsync(HttpMethod.Put, "/services/web", "{\"health\":{\"intervalMs\":\"often\"}}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("health.intervalMs", error!.Field);
        Assert.Contains("health.intervalMs", error.Error);
    }

    [Fact]
    public async Task StartProcess_TruncatedJson_Returns400()
    {
        var (status, error) = await SendRawAsync(HttpMethod.Post, "/processes", "{\"id\":\"p1\",\"command\":");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(error);
    }

    [Fact]
    public async Task PutService_InvalidName_Returns400()
    {
        var error = await Assert.ThrowsAsync<EdgeControlException>(() =>
            _edge.Client.PutServiceAsync("-bad", new ServiceDefinition(), CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal("name", error.Error.Field);
    }

    [Fact]
    public async Task ServiceRoutes_UnknownService_Return404()
    {
        Assert.Null(await _edge.Client.GetServiceAsync("nope", CancellationToken.None));
        Assert.False(await _edge.Client.DeleteServiceAsync("nope", CancellationToken.None));
        var pause = await Assert.ThrowsAsync<EdgeControlException>(() => _edge.Client.PauseAsync("nope", CancellationToken.None));
        var targets = await Assert.ThrowsAsync<EdgeControlException>(() =>
            _edge.Client.SetTargetsAsync("nope", new SetTargetsRequest(), CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, pause.Status);
        Assert.Equal(HttpStatusCode.NotFound, targets.Status);
        Assert.Contains("nope", targets.Error.Error);
    }

    [Fact]
    public async Task Services_PutGetListDelete_WorkThroughTheClient()
    {
        var put = await _edge.Client.PutServiceAsync("web", new ServiceDefinition { Routes = [new RouteDefinition { Host = "*", Path = "/" }] }, CancellationToken.None);

        Assert.Equal("web", put.Name);
        Assert.Equal("web", Assert.Single(await _edge.Client.ListServicesAsync(CancellationToken.None)).Name);
        Assert.True((await _edge.Client.PauseAsync("web", CancellationToken.None)).Paused);
        Assert.False((await _edge.Client.ResumeAsync("web", CancellationToken.None)).Paused);
        Assert.Equal("later", (await _edge.Client.SetMaintenanceAsync("web", new MaintenanceRequest { Message = "later" }, CancellationToken.None)).Maintenance);
        Assert.True(await _edge.Client.DeleteServiceAsync("web", CancellationToken.None));
        Assert.Empty((await _edge.Client.GetStatusAsync(CancellationToken.None)).Services);
    }

    [Fact]
    public async Task SetTargets_HealthyBackend_RoutesRequestsAndCountsThemInMetrics()
    {
        await using var backend = await TestBackend.StartAsync("b1");
        await _edge.Client.PutServiceAsync("web", new ServiceDefinition
        {
            Routes = [new RouteDefinition { Host = "*", Path = "/" }],
            Health = new HealthCheckDefinition { IntervalMs = 100, HealthyThreshold = 1 },
        }, CancellationToken.None);

        var result = await _edge.Client.SetTargetsAsync("web", new SetTargetsRequest
        {
            Targets = [new TargetDefinition { Id = "b1", Url = backend.Url }],
            DeployTimeoutMs = 10_000,
        }, CancellationToken.None);
        var answer = await _edge.Http.GetStringAsync("/hello");
        var metrics = await _edge.Client.GetMetricsAsync(CancellationToken.None);

        Assert.Equal(["b1"], result.Activated);
        Assert.Contains("b1", answer);
        Assert.Contains("slipway_edge_requests_total{", metrics);
        Assert.Contains("service=\"web\"", metrics);
    }

    [Fact]
    public async Task SetTargets_UnhealthyTarget_Returns409WithLastProbes()
    {
        await using var backend = await TestBackend.StartAsync("sick");
        backend.Healthy = false;
        await _edge.Client.PutServiceAsync("web", new ServiceDefinition { Health = new HealthCheckDefinition { IntervalMs = 100 } }, CancellationToken.None);

        var error = await Assert.ThrowsAsync<EdgeControlException>(() => _edge.Client.SetTargetsAsync("web", new SetTargetsRequest
        {
            Targets = [new TargetDefinition { Id = "sick", Url = backend.Url }],
            DeployTimeoutMs = 1_000,
        }, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Conflict, error.Status);
        Assert.NotNull(error.Error.LastProbes);
        Assert.False(Assert.Single(error.Error.LastProbes).Ok);
    }

    [Fact]
    public async Task Processes_StartListTailStopDelete_WorkOverTheSocket()
    {
        var started = await _edge.Client.StartProcessAsync(new ProcessDefinition
        {
            Id = "app-g1",
            Command = "echo one; echo two; echo three; exec sleep 300",
            StopGraceMs = 2_000,
        }, CancellationToken.None);
        await Poll.UntilAsync(() => File.Exists(started.LogFile) && File.ReadAllText(started.LogFile).Contains("three"), TimeSpan.FromSeconds(10), "output");

        var listed = await _edge.Client.ListProcessesAsync(CancellationToken.None);
        var tail = await _edge.Client.GetProcessOutputAsync("app-g1", 2, CancellationToken.None);
        var conflict = await Assert.ThrowsAsync<EdgeControlException>(() =>
            _edge.Client.StartProcessAsync(new ProcessDefinition { Id = "app-g1", Command = "true" }, CancellationToken.None));
        var metrics = await _edge.Client.GetMetricsAsync(CancellationToken.None);
        var stopped = await _edge.Client.StopProcessAsync("app-g1", TimeSpan.FromSeconds(2), CancellationToken.None);
        var deleted = await _edge.Client.DeleteProcessAsync("app-g1", null, CancellationToken.None);

        Assert.Equal(ProcessState.Running, started.State);
        Assert.Equal(_edge.Home, started.Definition.WorkingDirectory);
        Assert.Equal("app-g1", Assert.Single(listed).Id);
        Assert.Equal("two\nthree\n", tail);
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Contains("slipway_edge_process_up{process=\"app-g1\"} 1\n", metrics);
        Assert.Contains("slipway_edge_process_restarts_total{process=\"app-g1\"} 0\n", metrics);
        Assert.Equal(ProcessState.Stopped, stopped!.State);
        Assert.False(Supervision.ProcessIsAlive(started));
        Assert.True(deleted);
        Assert.Null(await _edge.Client.GetProcessAsync("app-g1", CancellationToken.None));
    }

    [Fact]
    public async Task ProcessRoutes_UnknownProcess_Return404()
    {
        Assert.Null(await _edge.Client.GetProcessAsync("ghost", CancellationToken.None));
        Assert.Null(await _edge.Client.StopProcessAsync("ghost", null, CancellationToken.None));
        var output = await Assert.ThrowsAsync<EdgeControlException>(() => _edge.Client.GetProcessOutputAsync("ghost", 10, CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, output.Status);
    }

    [Fact]
    public async Task StopProcess_BadGrace_Returns400NamingIt()
    {
        var (status, error) = await SendRawAsync(HttpMethod.Post, "/processes/any/stop?graceMs=soon", null);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("graceMs", error!.Field);
    }

    [Fact]
    public async Task Version_ReturnsTheEdgeBuild()
    {
        var version = await _edge.Client.GetVersionAsync(CancellationToken.None);

        Assert.False(string.IsNullOrEmpty(version.Version));
    }

    private async Task<(HttpStatusCode Status, ControlError? Error)> SendRawAsync(HttpMethod method, string path, string? body)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(_edge.Host.ControlSocketPath), ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri("http://edge") };
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var error = response.IsSuccessStatusCode ? null : await response.Content.ReadFromJsonAsync<ControlError>(ControlJson.Options);
        return (response.StatusCode, error);
    }

    private static class Supervision
    {
        public static bool ProcessIsAlive(ProcessStatus status) =>
            Edge.Supervision.SupervisedProcess.IsSameProcess(status.Pid!.Value, status.StartTicks);
    }
}
