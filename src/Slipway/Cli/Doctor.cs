using System.Net;
using System.Net.Sockets;
using Slipway.Client;
using Slipway.ControlPlane.Runtime.Docker;
using Slipway.ControlPlane.Store;

namespace Slipway.Cli;

/// <summary>
/// The checks behind <c>slipway doctor</c>: tools on PATH, Docker, the home directory, the two listeners, the edge's
/// control socket and the control plane. Each check is independent and never throws.
/// </summary>
internal sealed class Doctor(AdminEndpoint endpoint, Func<string, string?> environment)
{
    public const string DefaultEdgeAddress = "127.0.0.1:8080";

    public const string DefaultAdminAddress = "127.0.0.1:7070";

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public async Task<IReadOnlyList<DoctorCheck>> RunAsync(CancellationToken cancellationToken)
    {
        var checks = new List<DoctorCheck>
        {
            Tool("git", "install git (e.g. `apt-get install git`); Slipway uses it to fetch sources and read revisions"),
            Tool("dotnet", "install the .NET 10 SDK from https://dot.net; Slipway runs on it and builds .NET apps with it"),
            Tool("bash", "install bash; build steps and run commands are run through it"),
            Tool("setsid", "install util-linux (`apt-get install util-linux`); app processes get their own session so stops reach the whole tree"),
            HomeWritable(),
        };
        checks.AddRange(await DockerAsync(cancellationToken));

        var edgeSocket = await EdgeSocketAsync(cancellationToken);
        var slipwayRunning = edgeSocket.Status == DoctorStatus.Ok;
                // The edge port serves apps, so only a live edge socket says it is ours; the admin port answers /readyz itself.
        checks.Add(await PortAsync("edge port", environment("SLIPWAY_EDGE_HTTP") ?? DefaultEdgeAddress, slipwayRunning, probeReadyz: false, "--http or SLIPWAY_EDGE_HTTP", cancellationToken));
        checks.Add(await PortAsync("admin port", environment("SLIPWAY_ADMIN") ?? DefaultAdminAddress, slipwayRunning, probeReadyz: true, "--admin or SLIPWAY_ADMIN", cancellationToken));
        checks.Add(edgeSocket);
        checks.Add(await ControlPlaneAsync(cancellationToken));
        return checks;
    }

    private DoctorCheck Tool(string name, string hint)
    {
        var path = FindOnPath(name, environment("PATH"));
        return path is null
            ? new DoctorCheck(name, DoctorStatus.Failed, "not found on PATH", hint)
            : new DoctorCheck(name, DoctorStatus.Ok, path);
    }

    public static string? FindOnPath(string name, string? path)
    {
        foreach (var dir in (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// The engine answers (a warning otherwise: only <c>runtime: docker</c> apps need it), and every container this
    /// Slipway home labelled belongs to a live generation. Strangers are reported here, never removed by Slipway.
    /// </summary>
    private async Task<IReadOnlyList<DoctorCheck>> DockerAsync(CancellationToken cancellationToken)
    {
        string socket;
        try
        {
            socket = DockerSocket.Resolve(environment("DOCKER_HOST"));
        }
        catch (DockerUnavailableException e)
        {
            return [new DoctorCheck("docker", DoctorStatus.Warning, e.Message)];
        }

        using var engine = new DockerEngine(socket);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            var version = await engine.PingAsync(timeout.Token);
            var checks = new List<DoctorCheck> { new("docker", DoctorStatus.Ok, $"engine {version} (API {engine.ApiVersion}) at {socket}") };
            if (await UnknownContainersAsync(engine, timeout.Token) is { } containers)
            {
                checks.Add(containers);
            }

            return checks;
        }
        catch (DockerUnavailableException e)
        {
            return [new DoctorCheck("docker", DoctorStatus.Warning, $"{e.Message}; apps with `runtime: docker` cannot deploy until it answers")];
        }
        catch (DockerEngineErrorException e)
        {
            return [new DoctorCheck("docker", DoctorStatus.Warning, $"the engine answers but refused a check: {e.Message}", "see `journalctl -u docker` for why")];
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return [new DoctorCheck("docker", DoctorStatus.Warning, $"the engine at {socket} did not answer within {ProbeTimeout.TotalSeconds:0} s", "check `systemctl status docker`")];
        }
    }

    private async Task<DoctorCheck?> UnknownContainersAsync(DockerEngine engine, CancellationToken cancellationToken)
    {
        var containers = await engine.ListContainersAsync([$"{DockerLabels.Owner}={DockerLabels.OwnerOf(endpoint.Home)}"], cancellationToken);
        if (containers.Count == 0)
        {
            return null;
        }

        var storePath = SlipwayStore.PathIn(endpoint.Home);
        var live = new HashSet<string>(StringComparer.Ordinal);
        if (File.Exists(storePath))
        {
            using var store = SlipwayStore.Open(storePath);
            live.UnionWith(store.ListLiveGenerations().Select(g => g.ProcessId ?? ""));
        }

        var unknown = containers.Where(c => !live.Contains(c.Id)).ToList();
        if (unknown.Count == 0)
        {
            return new DoctorCheck("docker containers", DoctorStatus.Ok, $"{containers.Count} Slipway container(s), each running a live generation");
        }

        var list = string.Join("; ", unknown.Select(c =>
            $"{DockerEngine.Short(c.Id)} (app {c.Labels.GetValueOrDefault(DockerLabels.App) ?? "?"}, generation {c.Labels.GetValueOrDefault(DockerLabels.Generation) ?? "?"}, {c.State})"));
        return new DoctorCheck("docker containers", DoctorStatus.Warning,
            $"{unknown.Count} Slipway container(s) that no live generation accounts for, left alone: {list}",
            "check them with `docker inspect ID`; remove with `docker rm -f ID` once you know they are not needed");
    }

    private DoctorCheck HomeWritable()
    {
        var home = endpoint.Home;
        var existing = home;
        while (!Directory.Exists(existing))
        {
            existing = Path.GetDirectoryName(existing);
            if (existing is null)
            {
                return new DoctorCheck("home", DoctorStatus.Failed, $"{home}: no existing parent directory", "set --home or SLIPWAY_HOME to a writable directory");
            }
        }

        var probe = Path.Combine(existing, $".slipway-doctor-{Environment.ProcessId}");
        try
        {
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return new DoctorCheck("home", DoctorStatus.Ok, existing == home ? $"{home} is writable" : $"{home} will be created (in writable {existing})");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new DoctorCheck("home", DoctorStatus.Failed, $"{existing} is not writable", "set --home or SLIPWAY_HOME to a directory you own, or fix its permissions");
        }
    }

    private static async Task<DoctorCheck> PortAsync(
        string name, string address, bool slipwayRunning, bool probeReadyz, string setting, CancellationToken cancellationToken)
    {
        if (!TryParseAddress(address, out var ip, out var port))
        {
            return new DoctorCheck(name, DoctorStatus.Failed, $"'{address}' is not HOST:PORT", $"set {setting} to an address like 127.0.0.1:8080");
        }

        try
        {
            var listener = new TcpListener(ip, port);
            listener.Start();
            listener.Stop();
            return new DoctorCheck(name, DoctorStatus.Ok, $"{address} is free");
        }
        catch (SocketException)
        {
            if (slipwayRunning || (probeReadyz && await AnswersReadyzAsync(ip, port, cancellationToken)))
            {
                return new DoctorCheck(name, DoctorStatus.Ok, $"{address} is in use by slipway");
            }

            return new DoctorCheck(name, DoctorStatus.Failed, $"{address} is in use by another program", $"stop that program, or pick another address with {setting}");
        }
    }

    private static async Task<bool> AnswersReadyzAsync(IPAddress ip, int port, CancellationToken cancellationToken)
    {
        try
        {
            using var http = new HttpClient { Timeout = ProbeTimeout };
            using var response = await http.GetAsync(new Uri($"http://{new IPEndPoint(ip, port)}/readyz"), cancellationToken);
            // The control plane answers 200 when ready and 503 while recovering; a stranger would rarely answer /readyz at all.
            return response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private async Task<DoctorCheck> EdgeSocketAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(endpoint.Home, "edge.sock");
        if (!File.Exists(path))
        {
            return new DoctorCheck("edge socket", DoctorStatus.Warning, $"no socket at {path}: the edge is not running", "start it with `slipway up`");
        }

        try
        {
            using var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            using var http = new HttpClient(handler) { Timeout = ProbeTimeout };
            var body = await http.GetStringAsync(new Uri("http://edge/version"), cancellationToken);
            return new DoctorCheck("edge socket", DoctorStatus.Ok, $"{path} answers: {body.Trim()}");
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or IOException or TaskCanceledException)
        {
            return new DoctorCheck("edge socket", DoctorStatus.Warning, $"{path} exists but does not answer ({ex.Message})", "a stale socket from a stopped edge: run `slipway up`");
        }
    }

    private async Task<DoctorCheck> ControlPlaneAsync(CancellationToken cancellationToken)
    {
        using var client = new AdminClient(endpoint) { RequestTimeout = ProbeTimeout };
        try
        {
            return await client.IsReadyAsync(cancellationToken)
                ? new DoctorCheck("control plane", DoctorStatus.Ok, $"{endpoint.BaseUrl} is ready")
                : new DoctorCheck("control plane", DoctorStatus.Warning, $"{endpoint.BaseUrl} answers but is not ready (recovering or draining)", "wait a moment, then check `slipway status`");
        }
        catch (ServerUnreachableException)
        {
            return new DoctorCheck("control plane", DoctorStatus.Warning, $"nothing answers at {endpoint.BaseUrl}", "start it with `slipway up`, or set SLIPWAY_URL");
        }
    }

    public static bool TryParseAddress(string address, out IPAddress ip, out int port)
    {
        var text = address.Contains("://", StringComparison.Ordinal) ? address[(address.IndexOf("://", StringComparison.Ordinal) + 3)..].TrimEnd('/') : address;
        ip = IPAddress.Loopback;
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out port) || port is < 1 or > 65535)
        {
            return false;
        }

        var host = text[..colon].Trim('[', ']');
        if (host == "localhost")
        {
            return true;
        }

        return IPAddress.TryParse(host, out ip!);
    }
}
