using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>
/// A client for the Docker Engine API over its Unix socket. The API version is negotiated once (the lower of
/// the engine's and <see cref="MaxApiVersion"/>) and every call goes to that versioned path, so an engine
/// upgrade cannot change the shape of the answers under Slipway.
/// </summary>
internal sealed partial class DockerEngine : IDisposable
{
    /// <summary>The newest API version this client was written against; older engines down to <see cref="MinApiVersion"/> work too.</summary>
    public static readonly Version MaxApiVersion = new(1, 45);

    public static readonly Version MinApiVersion = new(1, 40);

    private static readonly TimeSpan RemovalTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;
    private readonly SemaphoreSlim _negotiation = new(1, 1);
    private readonly string? _configurationError;
    private string? _prefix;

    public DockerEngine(string socketPath)
        : this(socketPath, null)
    {
    }

    private DockerEngine(string socketPath, string? configurationError)
    {
        SocketPath = socketPath;
        _configurationError = configurationError;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = ConnectAsync,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://docker/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public string SocketPath { get; }

    /// <summary>The negotiated API version, once a call has been made.</summary>
    public Version? ApiVersion { get; private set; }

    /// <summary>The engine DOCKER_HOST names; a DOCKER_HOST Slipway cannot use is reported on the first call, not here.</summary>
    public static DockerEngine FromEnvironment()
    {
        try
        {
            return new DockerEngine(DockerSocket.FromEnvironment());
        }
        catch (DockerUnavailableException e)
        {
            return new DockerEngine(DockerSocket.DefaultPath, e.Message);
        }
    }

    /// <summary>Checks the engine answers and negotiates the API version; returns the engine's version string.</summary>
    public async Task<string> PingAsync(CancellationToken cancellationToken)
    {
        await NegotiateAsync(cancellationToken);
        using var doc = await GetJsonAsync("version", cancellationToken);
        return Str(doc.RootElement, "Version") ?? "unknown";
    }

    /// <summary>Builds an image from <paramref name="contextDirectory"/> (sent as a tar stream) and tags it.</summary>
    /// <returns>The image id (<c>sha256:...</c>).</returns>
    public async Task<string> BuildImageAsync(string contextDirectory, string dockerfile, string tag, IReadOnlyDictionary<string, string> labels,
        Action<string> log, CancellationToken cancellationToken)
    {
        var query = $"build?t={Uri.EscapeDataString(tag)}&dockerfile={Uri.EscapeDataString(dockerfile)}&rm=1&forcerm=1&version=1" +
                    $"&labels={Uri.EscapeDataString(JsonSerializer.Serialize(labels))}";
        using var request = new HttpRequestMessage(HttpMethod.Post, await PathAsync(query, cancellationToken))
        {
            Content = new TarContextContent(contextDirectory),
        };
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, "build the image", cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await BuildOutputReader.ReadAsync(stream, log, cancellationToken);
    }

    /// <returns>The image's id, or null when no such image exists.</returns>
    public async Task<string?> InspectImageAsync(string nameOrId, CancellationToken cancellationToken)
    {
        using var doc = await GetJsonOrNullAsync($"images/{Uri.EscapeDataString(nameOrId)}/json", cancellationToken);
        return doc is null ? null : Str(doc.RootElement, "Id");
    }

    /// <summary>Ids of the images carrying every one of the given labels (<c>key</c> or <c>key=value</c>).</summary>
    public async Task<IReadOnlyList<string>> ListImagesAsync(IEnumerable<string> labelFilters, CancellationToken cancellationToken)
    {
        var filters = JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = [.. labelFilters] });
        using var doc = await GetJsonAsync($"images/json?filters={Uri.EscapeDataString(filters)}", cancellationToken);
        return [.. doc.RootElement.EnumerateArray().Select(i => Str(i, "Id") ?? "").Where(id => id.Length > 0)];
    }

    /// <summary>Removes an image; a no-op when it does not exist. Unless forced, an image a container uses or other tags share is left alone (false).</summary>
    public async Task<bool> RemoveImageAsync(string nameOrId, CancellationToken cancellationToken, bool force = false)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"images/{Uri.EscapeDataString(nameOrId)}?force={(force ? 1 : 0)}", null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }

        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            await EnsureSuccessAsync(response, $"remove image {nameOrId}", cancellationToken);
        }

        return true;
    }

    /// <returns>The new container's id.</returns>
    public async Task<string> CreateContainerAsync(ContainerCreate create, CancellationToken cancellationToken)
    {
        var hostConfig = new JsonObject
        {
            ["RestartPolicy"] = new JsonObject { ["Name"] = "no" },
        };
        var body = new JsonObject
        {
            ["Image"] = create.ImageId,
            ["Env"] = new JsonArray([.. create.Environment.Select(e => (JsonNode?)JsonValue.Create($"{e.Key}={e.Value}"))]),
            ["Labels"] = ToObject(create.Labels),
            ["StopTimeout"] = create.StopTimeoutSeconds,
            ["HostConfig"] = hostConfig,
        };
        if (create.ContainerPort is { } containerPort)
        {
            var key = $"{containerPort}/tcp";
            body["ExposedPorts"] = new JsonObject { [key] = new JsonObject() };
            hostConfig["PortBindings"] = new JsonObject
            {
                [key] = new JsonArray(new JsonObject { ["HostIp"] = "127.0.0.1", ["HostPort"] = create.HostPort.ToString(CultureInfo.InvariantCulture) }),
            };
        }
        else
        {
            hostConfig["NetworkMode"] = "host";
        }

        using var response = await SendAsync(HttpMethod.Post, "containers/create", body, cancellationToken);
        await EnsureSuccessAsync(response, "create the container", cancellationToken);
        using var doc = await ReadJsonAsync(response, cancellationToken);
        return Str(doc.RootElement, "Id") ?? throw new DockerUnavailableException("the engine created a container but did not say its id");
    }

    public async Task StartContainerAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"containers/{Uri.EscapeDataString(id)}/start", null, cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotModified)
        {
            await EnsureSuccessAsync(response, $"start container {Short(id)}", cancellationToken);
        }
    }

    /// <summary>
    /// Sets a container's restart policy (e.g. <c>unless-stopped</c>: the engine restarts it after any exit, also
    /// after the engine itself restarts, until it is stopped on purpose).
    /// </summary>
    public async Task SetRestartPolicyAsync(string id, string policy, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["RestartPolicy"] = new JsonObject { ["Name"] = policy } };
        using var response = await SendAsync(HttpMethod.Post, $"containers/{Uri.EscapeDataString(id)}/update", body, cancellationToken);
        await EnsureSuccessAsync(response, $"set the restart policy of container {Short(id)}", cancellationToken);
    }

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>. A no-op for a stopped or unknown container.</summary>
    public async Task StopContainerAsync(string id, TimeSpan grace, CancellationToken cancellationToken)
    {
        var seconds = Math.Max(0, (int)Math.Ceiling(grace.TotalSeconds));
        using var response = await SendAsync(HttpMethod.Post, $"containers/{Uri.EscapeDataString(id)}/stop?t={seconds}", null, cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.NotModified or HttpStatusCode.NotFound))
        {
            await EnsureSuccessAsync(response, $"stop container {Short(id)}", cancellationToken);
        }
    }

    public async Task KillContainerAsync(string id, string signal, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"containers/{Uri.EscapeDataString(id)}/kill?signal={Uri.EscapeDataString(signal)}", null, cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.Conflict))
        {
            await EnsureSuccessAsync(response, $"kill container {Short(id)}", cancellationToken);
        }
    }

    /// <summary>Waits until the container is not running.</summary>
    /// <returns>Its exit code.</returns>
    public async Task<int> WaitContainerAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"containers/{Uri.EscapeDataString(id)}/wait?condition=not-running", null, cancellationToken);
        await EnsureSuccessAsync(response, $"wait for container {Short(id)}", cancellationToken);
        using var doc = await ReadJsonAsync(response, cancellationToken);
        return doc.RootElement.TryGetProperty("StatusCode", out var code) ? code.GetInt32() : -1;
    }

    /// <returns>The container, or null when the engine does not know it.</returns>
    public async Task<ContainerInfo?> InspectContainerAsync(string id, CancellationToken cancellationToken)
    {
        using var doc = await GetJsonOrNullAsync($"containers/{Uri.EscapeDataString(id)}/json", cancellationToken);
        if (doc is null)
        {
            return null;
        }

        var root = doc.RootElement;
        var state = root.GetProperty("State");
        var startedAt = Str(state, "StartedAt");
        return new ContainerInfo
        {
            Id = Str(root, "Id") ?? id,
            ImageId = Str(root, "Image") ?? "",
            Status = Str(state, "Status") ?? "unknown",
            ExitCode = state.TryGetProperty("ExitCode", out var exit) ? exit.GetInt32() : 0,
            Pid = state.TryGetProperty("Pid", out var pid) && pid.GetInt32() > 0 ? pid.GetInt32() : null,
            // An engine that never started the container says 0001-01-01.
            StartedAt = DateTimeOffset.TryParse(startedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && at.Year > 1 ? at : null,
            RestartCount = root.TryGetProperty("RestartCount", out var restarts) ? restarts.GetInt32() : 0,
            RestartPolicy = root.TryGetProperty("HostConfig", out var host) && host.TryGetProperty("RestartPolicy", out var policy)
                ? Str(policy, "Name") is { Length: > 0 } name ? name : "no"
                : "no",
            Labels = root.TryGetProperty("Config", out var config) ? Labels(config) : new Dictionary<string, string>(),
        };
    }

    /// <summary>The last <paramref name="lines"/> lines of the container's stdout and stderr, interleaved.</summary>
    public Task<string> LogsAsync(string id, int lines, CancellationToken cancellationToken) =>
        TailAsync($"containers/{Uri.EscapeDataString(id)}/logs", lines, $"container {Short(id)}", cancellationToken);

    /// <summary>The last <paramref name="lines"/> of stdout and stderr from a logs endpoint; empty when the engine knows no such <paramref name="what"/>.</summary>
    private async Task<string> TailAsync(string logsPath, int lines, string what, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"{logsPath}?stdout=1&stderr=1&tail={lines}", null, cancellationToken,
            HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return "";
        }

        await EnsureSuccessAsync(response, $"read the logs of {what}", cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await MultiplexedStreamReader.ReadAllAsync(stream, cancellationToken);
    }

    /// <summary>Containers (running or not) carrying every one of the given labels (<c>key</c> or <c>key=value</c>).</summary>
    public async Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(IEnumerable<string> labelFilters, CancellationToken cancellationToken)
    {
        var filters = JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = [.. labelFilters] });
        using var doc = await GetJsonAsync($"containers/json?all=1&filters={Uri.EscapeDataString(filters)}", cancellationToken);
        return [.. doc.RootElement.EnumerateArray().Select(c => new ContainerSummary(
            Str(c, "Id") ?? "", Str(c, "ImageID") ?? "", Str(c, "State") ?? "unknown", Labels(c)))];
    }

    /// <summary>
    /// Removes a container (killing it if it still runs) and returns once the engine no longer lists it. A no-op
    /// for an unknown container.
    /// </summary>
    public async Task RemoveContainerAsync(string id, CancellationToken cancellationToken)
    {
        using (var response = await SendAsync(HttpMethod.Delete, $"containers/{Uri.EscapeDataString(id)}?force=1&v=1", null, cancellationToken))
        {
            // 409: a removal is already under way (ours, retried, or the engine's own); wait for it like for ours.
            if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.Conflict))
            {
                await EnsureSuccessAsync(response, $"remove container {Short(id)}", cancellationToken);
            }
        }

        // The engine can answer before the container is gone: it stays listed as "removing" for a while, and its
        // image cannot be removed until then. Callers rely on "removed" meaning gone.
        var asked = Stopwatch.GetTimestamp();
        while (await InspectContainerAsync(id, cancellationToken) is { } container)
        {
            if (Stopwatch.GetElapsedTime(asked) >= RemovalTimeout)
            {
                throw new DockerUnavailableException($"container {Short(id)} is still {container.Status} {RemovalTimeout.TotalSeconds:0} s after its removal was asked for");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _negotiation.Dispose();
    }

    public static string Short(string id)
    {
        var hex = id.StartsWith("sha256:", StringComparison.Ordinal) ? id["sha256:".Length..] : id;
        return hex.Length > 12 ? hex[..12] : hex;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        if (_configurationError is not null)
        {
            throw new DockerUnavailableException(_configurationError);
        }

        if (!File.Exists(SocketPath))
        {
            throw new DockerUnavailableException(
                $"no Docker engine socket at {SocketPath}: install and start Docker (e.g. `apt-get install docker.io && systemctl start docker`), or set DOCKER_HOST=unix:///path/to/docker.sock");
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw e.SocketErrorCode switch
            {
                SocketError.AccessDenied => new DockerUnavailableException(
                    $"permission denied on the Docker socket {SocketPath}: run Slipway as root or as a user in the `docker` group (`usermod -aG docker $USER`, then log in again)", e),
                _ => new DockerUnavailableException(
                    $"the Docker engine does not answer on {SocketPath} ({e.Message}): start it (e.g. `systemctl start docker`) or point DOCKER_HOST at a running engine", e),
            };
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task NegotiateAsync(CancellationToken cancellationToken)
    {
        if (_prefix is not null)
        {
            return;
        }

        await _negotiation.WaitAsync(cancellationToken);
        try
        {
            if (_prefix is not null)
            {
                return;
            }

            using (var ping = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, "_ping"), HttpCompletionOption.ResponseContentRead, cancellationToken))
            {
                await EnsureSuccessAsync(ping, "answer /_ping", cancellationToken);
            }

            using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, "version"), HttpCompletionOption.ResponseContentRead, cancellationToken);
            await EnsureSuccessAsync(response, "report its version", cancellationToken);
            using var doc = await ReadJsonAsync(response, cancellationToken);
            var server = Version.TryParse(Str(doc.RootElement, "ApiVersion"), out var v) ? v : MinApiVersion;
            var negotiated = server < MaxApiVersion ? server : MaxApiVersion;
            if (negotiated < MinApiVersion)
            {
                throw new DockerUnavailableException(
                    $"the Docker engine at {SocketPath} speaks API {server}; Slipway needs {MinApiVersion} or newer (Docker 19.03+). Upgrade Docker.");
            }

            ApiVersion = negotiated;
            _prefix = $"v{negotiated.Major}.{negotiated.Minor}/";
        }
        finally
        {
            _negotiation.Release();
        }
    }

    private async Task<string> PathAsync(string path, CancellationToken cancellationToken)
    {
        await NegotiateAsync(cancellationToken);
        return _prefix + path;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        var request = new HttpRequestMessage(method, await PathAsync(path, cancellationToken));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        return await SendRawAsync(request, completion, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken) =>
        await SendRawAsync(request, completion, cancellationToken);

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException e) when (e.InnerException is DockerUnavailableException unavailable)
        {
            throw new DockerUnavailableException(unavailable.Message, e);
        }
        catch (HttpRequestException e)
        {
            throw new DockerUnavailableException($"the Docker engine at {SocketPath} failed to answer: {e.Message}", e);
        }
        finally
        {
            if (completion == HttpCompletionOption.ResponseContentRead)
            {
                request.Dispose();
            }
        }
    }

    private async Task<JsonDocument> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken);
        await EnsureSuccessAsync(response, $"answer GET {path}", cancellationToken);
        return await ReadJsonAsync(response, cancellationToken);
    }

    private async Task<JsonDocument?> GetJsonOrNullAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, $"answer GET {path}", cancellationToken);
        return await ReadJsonAsync(response, cancellationToken);
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        string? message = null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            message = Str(doc.RootElement, "message");
        }
        catch (JsonException)
        {
        }

        throw new DockerEngineErrorException(SocketPath, what, response.StatusCode, message ?? text.Trim());
    }

    private static JsonObject ToObject(IReadOnlyDictionary<string, string> values)
    {
        var result = new JsonObject();
        foreach (var (key, value) in values)
        {
            result[key] = value;
        }

        return result;
    }

    private static Dictionary<string, string> Labels(JsonElement element)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.TryGetProperty("Labels", out var map) && map.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in map.EnumerateObject())
            {
                labels[property.Name] = property.Value.GetString() ?? "";
            }
        }

        return labels;
    }

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
