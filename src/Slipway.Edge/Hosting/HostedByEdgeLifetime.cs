using Microsoft.Extensions.Hosting;

namespace Slipway.Edge.Hosting;

/// <summary>
/// Replaces the console lifetime of the edge's Kestrel apps: SIGTERM and Ctrl-C belong to whoever runs the
/// edge (<c>slipway edge</c>, <c>slipway up</c>), which stops the listeners in order through <see cref="EdgeHost.StopAsync"/>.
/// </summary>
internal sealed class HostedByEdgeLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
