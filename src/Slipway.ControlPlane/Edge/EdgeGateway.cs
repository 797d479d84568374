using System.Net.Sockets;
using Slipway.Edge.Control;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Edge;

/// <summary>
/// <see cref="IEdgeGateway"/> over the edge's Unix-socket control API. Transport failures and refusals
/// become <see cref="EdgeUnavailableException"/> carrying the edge's own words, so a deploy's error
/// summary says what the edge said.
/// </summary>
internal sealed class EdgeGateway(EdgeControlClient client) : IEdgeGateway, IDisposable
{
    public Task<ProcessStatus> StartProcessAsync(ProcessDefinition definition, CancellationToken cancellationToken) =>
        Call(() => client.StartProcessAsync(definition, cancellationToken));

    public Task<ProcessStatus?> GetProcessAsync(string id, CancellationToken cancellationToken) =>
        Call(() => client.GetProcessAsync(id, cancellationToken));

    public Task<IReadOnlyList<ProcessStatus>> ListProcessesAsync(CancellationToken cancellationToken) =>
        Call(() => client.ListProcessesAsync(cancellationToken));

    public Task StopProcessAsync(string id, TimeSpan grace, CancellationToken cancellationToken) =>
        Call(() => client.DeleteProcessAsync(id, grace, cancellationToken));

    public Task<string> TailProcessAsync(string id, int lines, CancellationToken cancellationToken) =>
        Call(async () =>
        {
            try
            {
                return await client.GetProcessOutputAsync(id, lines, cancellationToken);
            }
            catch (EdgeControlException e) when ((int)e.Status == 404)
            {
                return "";
            }
        });

    public Task UpsertServiceAsync(string name, ServiceDefinition definition, CancellationToken cancellationToken) =>
        Call(() => client.PutServiceAsync(name, definition, cancellationToken));

    public Task<ServiceStatus?> GetServiceAsync(string name, CancellationToken cancellationToken) =>
        Call(() => client.GetServiceAsync(name, cancellationToken));

    public Task<SetTargetsResult> SetTargetsAsync(string name, SetTargetsRequest request, CancellationToken cancellationToken) =>
        Call(() => client.SetTargetsAsync(name, request, cancellationToken));

    public Task DeleteServiceAsync(string name, CancellationToken cancellationToken) =>
        Call(() => client.DeleteServiceAsync(name, cancellationToken));

    public void Dispose() => client.Dispose();

    private async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (EdgeControlException e)
        {
            var probes = e.Error.LastProbes is { Count: > 0 } last
                ? "; last probes: " + string.Join(", ", last.Select(p => $"{p.Target} {(p.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? p.Error)}"))
                : "";
            throw new EdgeUnavailableException(e.Error.Error + probes, (int)e.Status, e);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException or IOException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new EdgeUnavailableException($"the edge is not reachable at {client.SocketPath}: {e.Message}. Is `slipway up` (or `slipway edge`) running?", null, e);
        }
    }
}
