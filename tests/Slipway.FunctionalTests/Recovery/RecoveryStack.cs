using System.Net;
using Microsoft.Data.Sqlite;
using Slipway.Edge.Control;
using Slipway.Edge.Supervision;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Recovery;

/// <summary>
/// <c>slipway edge</c> and <c>slipway server</c> as separate real processes on one temporary home, so a test
/// can kill -9 either one and start it again at once (under <c>slipway up</c> the edge restarts the control
/// plane with a backoff that grows with every crash). Short lease and reconcile timings keep the suite quick.
/// </summary>
internal sealed class RecoveryStack : IAsyncDisposable
{
    private static int _range;
    private readonly Dictionary<string, string> _environment;
    private AdminHttp? _admin;

    private RecoveryStack(string home, Uri httpUrl, Uri edgeAdminUrl, string ports, Dictionary<string, string> environment)
    {
        Home = home;
        HttpUrl = httpUrl;
        EdgeAdminUrl = edgeAdminUrl;
        Ports = ports;
        _environment = environment;
        EdgeClient = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = httpUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Home { get; }

    public Uri HttpUrl { get; }

    public Uri EdgeAdminUrl { get; }

    public string Ports { get; }

    public SlipwayChild? Edge { get; private set; }

    public SlipwayChild? Server { get; private set; }

    public Uri AdminUrl { get; private set; } = new("http://127.0.0.1:1");

    public HttpClient EdgeClient { get; }

    /// <summary>Writing a point name here arms one crash of the control plane (SLIPWAY_FAULT_FILE).</summary>
    public string FaultFile => Path.Combine(Home, "fault.arm");

    public AdminHttp Admin => _admin ?? throw new InvalidOperationException("No server started yet.");

    public string SocketPath => Path.Combine(Home, "edge.sock");

    public static async Task<RecoveryStack> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var home = Directory.CreateTempSubdirectory("slipway-crash-").FullName;
        // Ports 36000-37999: away from the ranges other suites hand out.
        var first = 36000 + (100 * (Interlocked.Increment(ref _range) % 20));
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SLIPWAY_LEASE_DURATION"] = "3s",
            ["SLIPWAY_RECONCILE_INTERVAL"] = "300ms",
            ["SLIPWAY_FAULT_FILE"] = Path.Combine(home, "fault.arm"),
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            env[name] = value;
        }

        var stack = new RecoveryStack(home, new Uri($"http://127.0.0.1:{FreePort.Next()}"), new Uri($"http://127.0.0.1:{FreePort.Next()}"), $"{first}-{first + 99}", env);
        await stack.StartEdgeAsync();
        await stack.StartServerAsync();
        return stack;
    }

    public async Task StartEdgeAsync()
    {
        Edge = SlipwayChild.Start(_environment, "edge", "--home", Home, "--http", HttpUrl.Authority, "--admin", EdgeAdminUrl.Authority);
        var edge = Edge;
        await Poll.UntilAsync(
            () => edge.Output.Contains("Edge listening on", StringComparison.Ordinal) || (edge.HasExited ? throw new InvalidOperationException($"slipway edge exited:\n{edge.Output}") : false),
            TimeSpan.FromSeconds(60),
            $"slipway edge to listen:\n{edge.Output}");
    }

    /// <summary>Starts a control plane on a fresh admin port; waits until it is ready (leader, recovered) unless told not to.</summary>
    public async Task<SlipwayChild> StartServerAsync(bool waitForReady = true)
    {
        var admin = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var server = SlipwayChild.Start(_environment, "server", "--home", Home, "--listen", admin.Authority, "--ports", Ports);
        Server = server;
        AdminUrl = admin;
        if (waitForReady)
        {
            await WaitUntilReadyAsync(server, admin);
        }

        return server;
    }

    public async Task WaitUntilReadyAsync(SlipwayChild server, Uri admin, TimeSpan? deadline = null)
    {
        var tokenFile = Path.Combine(Home, "admin.token");
        await Poll.UntilAsync(
            async () => server.HasExited
                ? throw new InvalidOperationException($"slipway server exited with {server.ExitCode}:\n{server.Output}")
                : File.Exists(tokenFile) && await ReadyzAsync(admin) == HttpStatusCode.OK,
            deadline ?? TimeSpan.FromSeconds(60),
            $"slipway server at {admin} to be ready:\n{server.Output}");
        _admin?.Dispose();
        _admin = new AdminHttp(admin, (await File.ReadAllTextAsync(tokenFile)).Trim());
    }

    public static async Task<HttpStatusCode?> ReadyzAsync(Uri admin)
    {
        using var probe = new HttpClient { BaseAddress = admin, Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await probe.GetAsync("/readyz");
            return response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public async Task<(HttpStatusCode Status, string Body)> EdgeGetAsync(string host, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        using var response = await EdgeClient.SendAsync(request);
        return (response.StatusCode, (await response.Content.ReadAsStringAsync()).Trim());
    }

    public EdgeControlClient EdgeControl() => new(SocketPath, TimeSpan.FromSeconds(10));

    /// <summary>Reads the store directly, read-only, as an operator inspecting the journal would.</summary>
    public List<T> Query<T>(string sql, Func<SqliteDataReader, T> map, params (string Name, object Value)[] parameters) =>
        StoreReader.Query(Home, sql, map, parameters);

    public (long? Current, long? Previous) Pointers(string app) =>
        Query("SELECT current_generation, previous_generation FROM pointers WHERE app = $app AND env = 'prod'",
            r => (r.IsDBNull(0) ? (long?)null : r.GetInt64(0), r.IsDBNull(1) ? (long?)null : r.GetInt64(1)), ("$app", app)).SingleOrDefault();

    public async ValueTask DisposeAsync()
    {
        var pids = new List<int>();
        try
        {
            using var control = EdgeControl();
            pids.AddRange((await control.ListProcessesAsync(CancellationToken.None)).Where(p => p.Pid is > 1).Select(p => p.Pid!.Value));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or System.Net.Sockets.SocketException or TaskCanceledException)
        {
            // No edge to ask; nothing it supervises can be found this way.
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }

        // Apps outlive the edge by design; a test leaves nothing running.
        foreach (var pid in pids)
        {
            ProcessSignals.SignalGroup(pid, ProcessSignals.SigKill);
        }

        _admin?.Dispose();
        EdgeClient.Dispose();
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
            // A process killed a moment ago may still hold a log file open; a temp folder left behind is harmless.
        }
    }
}
