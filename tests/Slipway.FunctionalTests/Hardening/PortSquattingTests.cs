using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Slipway.Edge.Control;
using Slipway.Edge.Control.Contracts;
using Slipway.FunctionalTests.Edge;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Hardening;

/// <summary>
/// Defect 11 (docs/security.md): a port handed to a supervised process is chosen before the process binds it and
/// bound again after each restart. A local process that takes it in between must receive nothing from the edge:
/// no health probe, no forwarded request, no bearer token. Through the real <c>slipway edge</c>.
/// </summary>
public sealed class PortSquattingTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private const string Token = "Bearer squat-test-token-7f3a";

    private readonly string _home = Directory.CreateTempSubdirectory("slipway-squat-").FullName;
    private EdgeProcess? _edge;
    private EdgeControlClient? _control;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_control is not null)
        {
            await _control.DeleteProcessAsync("hello-g1", TimeSpan.FromSeconds(5), CancellationToken.None);
            _control.Dispose();
        }

        if (_edge is not null)
        {
            await _edge.DisposeAsync();
        }

        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task PortTakenBeforeTheAppBindsIt_EdgeSendsTheSquatterNothingAndServesTheAppOnceItHasThePort()
    {
        var port = FreePort.Next();
        var squatter = new Squatter(port);
        var edgeUrl = await StartEdgeAsync();
        await _control!.StartProcessAsync(App(port, $"exec dotnet \"{RepoPaths.TestAppDll}\""), CancellationToken.None);
        await PutServiceAsync();

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => _control.SetTargetsAsync("hello", Targets(port, deployTimeoutMs: 3_000), CancellationToken.None));
        using var http = new HttpClient();
        using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri(edgeUrl, "/")))
        {
            request.Headers.TryAddWithoutValidation("Authorization", Token);
            using var response = await http.SendAsync(request);
            Assert.False(response.IsSuccessStatusCode, $"the edge answered {(int)response.StatusCode} with no healthy target");
        }

        Assert.True(squatter.Connections > 0, "the edge's probes never even connected to the port, so the test shows nothing");
        Assert.Equal(0, squatter.BytesReceived);
        Assert.Contains("another process listens on it", refused.Message, StringComparison.Ordinal);

        // The port comes back to its owner: the app, restarted by the supervisor, binds it and is served.
        await squatter.DisposeAsync();
        await _control.SetTargetsAsync("hello", Targets(port, deployTimeoutMs: 30_000), CancellationToken.None);
        Assert.Contains("gen=1", await http.GetStringAsync(new Uri(edgeUrl, "/")));
    }

    [Fact]
    public async Task AppDiesAndAnotherProcessTakesItsPort_RequestsFailButNothingReachesTheSquatter_ThenTheAppIsServedAgain()
    {
        var port = FreePort.Next();
        var hold = Path.Combine(_home, "hold");
        var edgeUrl = await StartEdgeAsync();
        // The app's own start script waits while the hold file exists: the test decides when it binds again.
        var started = await _control!.StartProcessAsync(
            App(port, $"while [ -e \"{hold}\" ]; do sleep 0.05; done; exec dotnet \"{RepoPaths.TestAppDll}\""), CancellationToken.None);
        await PutServiceAsync();
        await _control.SetTargetsAsync("hello", Targets(port, deployTimeoutMs: 30_000), CancellationToken.None);
        using var http = new HttpClient();
        Assert.Contains("gen=1", await http.GetStringAsync(new Uri(edgeUrl, "/")));

        await File.WriteAllTextAsync(hold, "");
        Kill(started.Pid!.Value);
        await Poll.UntilAsync(async () => await _control.GetProcessAsync("hello-g1", CancellationToken.None) is { Restarts: > 0, State: ProcessState.Running },
            Deadline, "the supervisor to start the app again");
        await using var squatter = new Squatter(port);

        var failed = 0;
        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(edgeUrl, "/"));
            request.Headers.TryAddWithoutValidation("Authorization", Token);
            using var response = await http.SendAsync(request);
            failed += response.IsSuccessStatusCode ? 0 : 1;
        }

        Assert.Equal(5, failed);
        Assert.True(squatter.Connections > 0, "the edge never connected to the port, so the test shows nothing");
        Assert.Equal(0, squatter.BytesReceived);

        await squatter.DisposeAsync();
        File.Delete(hold);
        var answer = await Poll.ForAsync(async () =>
        {
            using var response = await http.GetAsync(new Uri(edgeUrl, "/"));
            return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : "";
        }, body => body.Contains("gen=1", StringComparison.Ordinal), Deadline, "the app to be served again once it has its port");
        Assert.Contains("gen=1", answer);
    }

    private async Task<Uri> StartEdgeAsync()
    {
        _edge = EdgeProcess.Start("edge", "--home", _home, "--http", "127.0.0.1:0", "--admin", "127.0.0.1:0");
        var url = await _edge.WaitUntilListeningAsync(Deadline);
        _control = new EdgeControlClient(Path.Combine(_home, "edge.sock"));
        return url;
    }

    private ProcessDefinition App(int port, string command) => new()
    {
        Id = "hello-g1",
        Command = command,
        WorkingDirectory = _home,
        Environment = new Dictionary<string, string> { ["SLIPWAY_GENERATION"] = "1" },
        Port = port,
        StopGraceMs = 5_000,
    };

    private Task PutServiceAsync() => _control!.PutServiceAsync("hello", new ServiceDefinition
    {
        Routes = [new RouteDefinition { Host = "*", Path = "/" }],
        Health = new HealthCheckDefinition { Path = "/healthz", IntervalMs = 200, HealthyThreshold = 1, UnhealthyThreshold = 1 },
        // With no healthy target the edge holds a request this long before it answers 503.
        PauseTimeoutMs = 500,
    }, CancellationToken.None);

    private static SetTargetsRequest Targets(int port, int deployTimeoutMs) => new()
    {
        Targets = [new TargetDefinition { Id = "hello-g1", Url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}" }],
        DeployTimeoutMs = deployTimeoutMs,
    };

    private static void Kill(int pid)
    {
        // The app leads its own process group: SIGKILL all of it, as a crash would.
        using var kill = System.Diagnostics.Process.Start("kill", ["-KILL", "--", "-" + pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>
    /// A local process that took the port first: it accepts connections, counts what it is sent, and answers every
    /// request 200 as a squatter would, so the only thing keeping it out of the route is the edge refusing to send.
    /// </summary>
    private sealed class Squatter : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _connections;
        private long _bytes;

        public Squatter(int port)
        {
            _listener = new TcpListener(IPAddress.Loopback, port);
            _listener.Start();
            _loop = AcceptAsync();
        }

        public int Connections => Volatile.Read(ref _connections);

        public long BytesReceived => Interlocked.Read(ref _bytes);

        public async ValueTask DisposeAsync()
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            var connections = new List<Task>();
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    connections.Add(ServeAsync(client));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }

            await Task.WhenAll(connections);
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                var stream = client.GetStream();
                var buffer = new byte[4096];
                try
                {
                    int read;
                    while ((read = await stream.ReadAsync(buffer, _stop.Token)) > 0)
                    {
                        Interlocked.Add(ref _bytes, read);
                        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\ngen=1\n"u8.ToArray(), _stop.Token);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or IOException)
                {
                }
            }
        }
    }
}
