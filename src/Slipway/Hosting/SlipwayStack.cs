using System.Net;
using System.Net.Sockets;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Hosting;

namespace Slipway.Hosting;

/// <summary>
/// What <c>slipway up</c> runs (docs/architecture.md §1): the edge in this process, and the control plane as the
/// supervised app <c>slipway</c> behind the edge's admin listener. An edge that restarts finds the control
/// plane still running and keeps it.
/// </summary>
internal sealed class SlipwayStack : IAsyncDisposable
{
    public const string ControlPlaneId = "slipway";

    private SlipwayStack(EdgeHost edge, string controlPlaneUrl)
    {
        Edge = edge;
        ControlPlaneUrl = controlPlaneUrl;
    }

    public EdgeHost Edge { get; }

    public string ControlPlaneUrl { get; }

    public string AdminUrl => $"http://{Edge.AdminEndpoint}";

    public string HttpUrl => $"http://{Edge.HttpEndpoint}";

    public static async Task<SlipwayStack> StartAsync(EdgeOptions options, string ports, CancellationToken cancellationToken)
    {
        var edge = await EdgeHost.StartAsync(options, cancellationToken);
        try
        {
            // After a self-deploy the admin listener routes to a control-plane generation (docs/self-deploy.md): keep that one.
            var existing = edge.Services.Get(ControlPlaneId)?.Targets.Select(t => edge.Supervisor.Get(t.Id)).FirstOrDefault(p => p is not null)
                ?? edge.Supervisor.Get(ControlPlaneId);
            var processId = ControlPlaneId;
            int port;
            if (existing is { State: ProcessState.Running or ProcessState.Starting or ProcessState.Backoff, Definition.Port: { } adopted })
            {
                port = adopted;
                processId = existing.Id;
            }
            else if (existing is { Definition.Port: { } kept } && existing.Id != ControlPlaneId && Directory.Exists(existing.Definition.WorkingDirectory))
            {
                // A stopped control-plane generation: run its release again rather than this binary.
                port = kept;
                processId = existing.Id;
                edge.Supervisor.Start(existing.Definition with { SlipwayOwn = true });
            }
            else
            {
                if (existing is not null)
                {
                    await edge.Supervisor.StopAsync(existing.Id, TimeSpan.FromSeconds(5), cancellationToken);
                }

                port = FreeLoopbackPort();
                edge.Supervisor.Start(new ProcessDefinition
                {
                    Id = ControlPlaneId,
                    Command = SelfCommand.ShellLine("server", "--home", options.FullHome, "--listen", $"127.0.0.1:{port}",
                        "--edge-socket", options.ControlSocketPath, "--ports", ports),
                    WorkingDirectory = options.FullHome,
                    Environment = new Dictionary<string, string> { ["SLIPWAY_HOME"] = options.FullHome },
                    SlipwayOwn = true,
                    Port = port,
                    StopGraceMs = 30_000,
                    Restart = true,
                });
            }

            var url = $"http://127.0.0.1:{port}";
            edge.Services.Upsert(ControlPlaneId, new ServiceDefinition
            {
                Health = new HealthCheckDefinition { Path = "/healthz", IntervalMs = 1000, HealthyThreshold = 1, UnhealthyThreshold = 3 },
                ResponseHeadersTimeoutMs = 15 * 60 * 1000, // `deploy?wait=true` answers when the deploy ends
            });
            await edge.Services.SetTargetsAsync(ControlPlaneId, new SetTargetsRequest
            {
                Targets = [new TargetDefinition { Id = processId, Url = url }],
                DeployTimeoutMs = 60_000,
                DrainTimeoutMs = 30_000,
                WaitForDrain = false,
            }, cancellationToken);
            return new SlipwayStack(edge, url);
        }
        catch
        {
            await edge.StopAsync(stopProcesses: false, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Stops the control plane and the edge; apps keep running unless <paramref name="stopApps"/>.</summary>
    public async Task StopAsync(bool stopApps)
    {
        if (Edge.IsHandedOver)
        {
            // `slipway edge upgrade`: the control plane and the apps belong to the new edge now.
            await Edge.HandedOver;
            return;
        }

        foreach (var id in (Edge.Services.Get(ControlPlaneId)?.Targets.Select(t => t.Id) ?? []).Append(ControlPlaneId).Distinct())
        {
            await Edge.Supervisor.StopAsync(id, TimeSpan.FromSeconds(30), CancellationToken.None);
        }
        await Edge.StopAsync(stopProcesses: stopApps, CancellationToken.None);
    }

    public async ValueTask DisposeAsync() => await StopAsync(stopApps: false);

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
