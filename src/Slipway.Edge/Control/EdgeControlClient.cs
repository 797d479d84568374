using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Slipway.Edge.Control.Contracts;

namespace Slipway.Edge.Control;

/// <summary>
/// Typed client of the edge control API (<c>docs/edge-control-api.md</c>) over the edge's Unix socket.
/// Error answers throw <see cref="EdgeControlException"/>; a lookup of an unknown service or process returns null.
/// </summary>
public sealed class EdgeControlClient : IDisposable
{
    private readonly HttpClient _http;

    public EdgeControlClient(string socketPath, TimeSpan? timeout = null)
    {
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            UseProxy = false,
        };
        // The host name is never resolved (the connect callback ignores it); it only fills the Host header.
        _http = new HttpClient(handler)
        {
            BaseAddress = new Uri("http://edge/"),
            // Set-targets waits for health and drain; callers bound it with their own tokens.
            Timeout = timeout ?? Timeout.InfiniteTimeSpan,
        };
    }

    public string SocketPath { get; }

    public Task<EdgeVersion> GetVersionAsync(CancellationToken cancellationToken) =>
        SendAsync<EdgeVersion>(HttpMethod.Get, "version", null, cancellationToken);

    /// <summary><c>POST /upgrade</c>: answers once the new edge serves (502 when it failed and this edge keeps serving).</summary>
    public Task<UpgradeResult> UpgradeAsync(UpgradeRequest request, CancellationToken cancellationToken) =>
        SendAsync<UpgradeResult>(HttpMethod.Post, "upgrade", request, cancellationToken);

    public Task<EdgeStatus> GetStatusAsync(CancellationToken cancellationToken) =>
        SendAsync<EdgeStatus>(HttpMethod.Get, "status", null, cancellationToken);

    public Task<IReadOnlyList<ServiceStatus>> ListServicesAsync(CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<ServiceStatus>>(HttpMethod.Get, "services", null, cancellationToken);

    public Task<ServiceStatus> PutServiceAsync(string name, ServiceDefinition definition, CancellationToken cancellationToken) =>
        SendAsync<ServiceStatus>(HttpMethod.Put, $"services/{Escape(name)}", definition, cancellationToken);

    public Task<ServiceStatus?> GetServiceAsync(string name, CancellationToken cancellationToken) =>
        OrNullWhenNotFound(SendAsync<ServiceStatus>(HttpMethod.Get, $"services/{Escape(name)}", null, cancellationToken));

    /// <summary>False when there was no such service.</summary>
    public Task<bool> DeleteServiceAsync(string name, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Delete, $"services/{Escape(name)}", cancellationToken);

    /// <summary>409 (new targets not healthy) throws <see cref="EdgeControlException"/> with <see cref="ControlError.LastProbes"/>.</summary>
    public Task<SetTargetsResult> SetTargetsAsync(string name, SetTargetsRequest request, CancellationToken cancellationToken) =>
        SendAsync<SetTargetsResult>(HttpMethod.Post, $"services/{Escape(name)}/targets", request, cancellationToken);

    public Task<ServiceStatus> PauseAsync(string name, CancellationToken cancellationToken) =>
        SendAsync<ServiceStatus>(HttpMethod.Post, $"services/{Escape(name)}/pause", null, cancellationToken);

    public Task<ServiceStatus> ResumeAsync(string name, CancellationToken cancellationToken) =>
        SendAsync<ServiceStatus>(HttpMethod.Post, $"services/{Escape(name)}/resume", null, cancellationToken);

    public Task<ServiceStatus> SetMaintenanceAsync(string name, MaintenanceRequest request, CancellationToken cancellationToken) =>
        SendAsync<ServiceStatus>(HttpMethod.Post, $"services/{Escape(name)}/maintenance", request, cancellationToken);

    public Task<IReadOnlyList<ProcessStatus>> ListProcessesAsync(CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<ProcessStatus>>(HttpMethod.Get, "processes", null, cancellationToken);

    /// <summary>409 when a process with that id is running.</summary>
    public Task<ProcessStatus> StartProcessAsync(ProcessDefinition definition, CancellationToken cancellationToken) =>
        SendAsync<ProcessStatus>(HttpMethod.Post, "processes", definition, cancellationToken);

    public Task<ProcessStatus?> GetProcessAsync(string id, CancellationToken cancellationToken) =>
        OrNullWhenNotFound(SendAsync<ProcessStatus>(HttpMethod.Get, $"processes/{Escape(id)}", null, cancellationToken));

    /// <summary>Answers once the process is stopped; <paramref name="grace"/> overrides the definition's grace period.</summary>
    public Task<ProcessStatus?> StopProcessAsync(string id, TimeSpan? grace, CancellationToken cancellationToken) =>
        OrNullWhenNotFound(SendAsync<ProcessStatus>(HttpMethod.Post, $"processes/{Escape(id)}/stop{GraceQuery(grace)}", null, cancellationToken));

    /// <summary>Stops and forgets the process; false when there was no such process.</summary>
    public Task<bool> DeleteProcessAsync(string id, TimeSpan? grace, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Delete, $"processes/{Escape(id)}{GraceQuery(grace)}", cancellationToken);

    /// <summary>The last <paramref name="lines"/> lines of the process's output.</summary>
    public async Task<string> GetProcessOutputAsync(string id, int lines, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(
            $"processes/{Escape(id)}/output?lines={lines.ToString(CultureInfo.InvariantCulture)}", cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    public async Task<string> GetMetricsAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync("metrics", cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    public Task<IReadOnlyList<CertificateInfo>> ListCertificatesAsync(CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<CertificateInfo>>(HttpMethod.Get, "certificates", null, cancellationToken);

    /// <summary>400 (the certificate or key cannot be served) throws <see cref="EdgeControlException"/> naming the field.</summary>
    public Task<CertificateInfo> AddCertificateAsync(AddCertificateRequest request, CancellationToken cancellationToken) =>
        SendAsync<CertificateInfo>(HttpMethod.Post, "certificates", request, cancellationToken);

    /// <summary>False when no certificate was served for the host.</summary>
    public Task<bool> RemoveCertificateAsync(string host, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Delete, $"certificates?host={Escape(host)}", cancellationToken);

    /// <summary>False when the host is not a <c>tls: auto</c> route.</summary>
    public Task<bool> RenewCertificateAsync(string host, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Post, $"certificates/renew?host={Escape(host)}", cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: ControlJson.Options);
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<T>(ControlJson.Options, cancellationToken)
            ?? throw new JsonException($"The edge answered {method} /{path} with an empty body.");
    }

    private async Task<bool> SendNoContentAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return true;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        ControlError? error = null;
        try
        {
            error = await response.Content.ReadFromJsonAsync<ControlError>(ControlJson.Options, cancellationToken);
        }
        catch (JsonException)
        {
        }
        catch (NotSupportedException)
        {
            // Not JSON (e.g. a routing error with an empty body).
        }

        throw new EdgeControlException(response.StatusCode, error ?? new ControlError { Error = response.ReasonPhrase ?? "error" });
    }

    private static async Task<T?> OrNullWhenNotFound<T>(Task<T> call)
        where T : class
    {
        try
        {
            return await call;
        }
        catch (EdgeControlException ex) when (ex.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static string GraceQuery(TimeSpan? grace) =>
        grace is { } g ? "?graceMs=" + ((long)g.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) : "";

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}
