using System.Net;
using System.Net.Sockets;
using Slipway.Edge.Control;
using Slipway.Edge.Control.Contracts;

namespace Slipway.FunctionalTests.Edge;

public sealed class EdgeCommandTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _home = Directory.CreateTempSubdirectory("slipway-fedge-").FullName;
    private readonly List<EdgeProcess> _edges = [];
    private readonly List<int> _appPids = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var edge in _edges)
        {
            await edge.DisposeAsync();
        }

        foreach (var pid in _appPids)
        {
            // The app runs in its own process group led by itself; make sure nothing outlives the test.
            using var kill = System.Diagnostics.Process.Start("kill", ["-KILL", "--", "-" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task Edge_SigtermThenStartAgain_ReadoptsTheAppAndRestoresRouting()
    {
        var app = TestAppPath();
        var port = FreePort();
        var first = StartEdge();
        var firstUrl = await first.WaitUntilListeningAsync(Deadline);
        ProcessStatus started;
        using (var control = new EdgeControlClient(Path.Combine(_home, "edge.sock")))
        {
            started = await control.StartProcessAsync(new ProcessDefinition
            {
                Id = "hello-g1",
                Command = $"exec dotnet \"{app}\"",
                WorkingDirectory = _home,
                Environment = new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["SLIPWAY_GENERATION"] = "1" },
                Port = port,
                StopGraceMs = 5_000,
            }, CancellationToken.None);
            _appPids.Add(started.Pid!.Value);
            await control.PutServiceAsync("hello", new ServiceDefinition
            {
                Routes = [new RouteDefinition { Host = "*", Path = "/" }],
                Health = new HealthCheckDefinition { Path = "/healthz", IntervalMs = 200, HealthyThreshold = 1 },
            }, CancellationToken.None);
            await control.SetTargetsAsync("hello", new SetTargetsRequest
            {
                Targets = [new TargetDefinition { Id = "hello-g1", Url = $"http://127.0.0.1:{port}" }],
                DeployTimeoutMs = 30_000,
            }, CancellationToken.None);
        }

        using var http = new HttpClient();
        Assert.Contains("gen=1", await http.GetStringAsync(new Uri(firstUrl, "/")));

        first.Terminate();
        Assert.Equal(0, await first.WaitForExitAsync(Deadline));
        Assert.True(IsAlive(started.Pid.Value), "the app must outlive the edge");

        var second = StartEdge();
        var secondUrl = await second.WaitUntilListeningAsync(Deadline);
        using var again = new EdgeControlClient(Path.Combine(_home, "edge.sock"));
        var adopted = await again.GetProcessAsync("hello-g1", CancellationToken.None);

        Assert.Equal(started.Pid, adopted!.Pid);
        Assert.True(adopted.Adopted);
        Assert.Equal(0, adopted.Restarts);
        var answer = await PollAsync(async () =>
        {
            using var response = await http.GetAsync(new Uri(secondUrl, "/"));
            return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : null;
        });
        Assert.Contains("gen=1", answer);

        Assert.True(await again.DeleteProcessAsync("hello-g1", TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.False(IsAlive(started.Pid.Value));
        second.Terminate();
        Assert.Equal(0, await second.WaitForExitAsync(Deadline));
    }

    [Fact]
    public async Task Edge_BadAddress_ExitsWith2AndSaysWhatToWrite()
    {
        var edge = StartEdge("--http", "nonsense");

        var code = await edge.WaitForExitAsync(Deadline);

        Assert.Equal(2, code);
        Assert.Contains("'nonsense' is not a listen address; write HOST:PORT", edge.Output);
    }

    [Fact]
    public async Task Edge_CorruptStateFile_ExitsNonZeroAndKeepsTheFile()
    {
        Directory.CreateDirectory(Path.Combine(_home, "edge"));
        var statePath = Path.Combine(_home, "edge", "state.json");
        await File.WriteAllTextAsync(statePath, "{ broken");
        var edge = StartEdge();

        var code = await edge.WaitForExitAsync(Deadline);

        Assert.Equal(1, code);
        Assert.Contains("unreadable", edge.Output);
        Assert.Equal("{ broken", await File.ReadAllTextAsync(statePath));
    }

    private EdgeProcess StartEdge(params string[] extra)
    {
        string[] arguments = ["edge", "--home", _home, .. extra];
        if (!extra.Contains("--http"))
        {
            arguments = [.. arguments, "--http", "127.0.0.1:0"];
        }

        arguments = [.. arguments, "--admin", "127.0.0.1:0"];
        var edge = EdgeProcess.Start(arguments);
        _edges.Add(edge);
        return edge;
    }

    private static bool IsAlive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        var state = File.ReadAllText(stat).Split(')')[^1].TrimStart()[0];
        return state is not ('Z' or 'X');
    }

    private static async Task<string> PollAsync(Func<Task<string?>> attempt)
    {
        var until = DateTime.UtcNow + Deadline;
        while (true)
        {
            try
            {
                if (await attempt() is { } result)
                {
                    return result;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < until)
            {
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("Timed out waiting for the edge to route again.");
            }

            await Task.Delay(50);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string TestAppPath()
    {
        // Built alongside this project (ReferenceOutputAssembly=false), in the same configuration.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Slipway.slnx")))
        {
            directory = directory.Parent;
        }

        var path = Path.Combine(directory!.FullName, "tests", "Slipway.TestApp", "bin", configuration, "net10.0", "Slipway.TestApp.dll");
        Assert.True(File.Exists(path), $"The test app is not built at {path}.");
        return path;
    }
}
