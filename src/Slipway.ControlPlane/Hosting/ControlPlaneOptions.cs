using System.Net;
using Microsoft.Extensions.Logging;

namespace Slipway.ControlPlane.Hosting;

/// <summary>Settings of one control-plane instance, validated before anything starts.</summary>
public sealed record ControlPlaneOptions
{
    public const string DefaultListen = "127.0.0.1:7071";
    public const string DefaultPorts = "20000-20999";

    public required string Home { get; init; }

    /// <summary>Where the admin API listens. Behind <c>slipway up</c> the edge's admin listener forwards to it.</summary>
    public string Listen { get; init; } = DefaultListen;

    /// <summary>The edge's control socket; defaults to <c>HOME/edge.sock</c>.</summary>
    public string? EdgeSocket { get; init; }

    /// <summary>Loopback ports handed to app generations.</summary>
    public string Ports { get; init; } = DefaultPorts;

    /// <summary>How often the background loop stops expired warm generations.</summary>
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the store's leader lease lasts without renewal; a follower takes over after that.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the leader renews its lease and a follower tries to take it; defaults to a third of <see cref="LeaseDuration"/>.</summary>
    public TimeSpan? LeaseRenewInterval { get; init; }

    /// <summary>Consecutive unhealthy checks of a current generation before the reconciler restarts it.</summary>
    public int UnhealthyChecksBeforeRestart { get; init; } = 3;

    /// <summary>How long a restarted current generation may stay unhealthy before Slipway rolls back to a warm, healthy previous one.</summary>
    public TimeSpan HealthRollbackAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a self-deploy's new instance has, after the admin route swap, to take the lease and complete the handoff.</summary>
    public TimeSpan SelfHandoffCeiling { get; init; } = TimeSpan.FromSeconds(90);

    public TimeSpan RenewInterval => LeaseRenewInterval ?? LeaseDuration / 3;
    /// <summary>How long one git command (clone, fetch, archive) may run before the source phase fails.</summary>
    public TimeSpan GitTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the dashboard samples the edge's services and metrics for the edge page's charts.</summary>
    public TimeSpan EdgeSampleInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The swarm manager's Engine API socket for <c>runtime: swarm</c> apps (<c>SLIPWAY_SWARM_MANAGER</c>); null: none.</summary>
    public string? SwarmManager { get; init; }

    /// <summary>The registry swarm nodes pull generations' images from, <c>HOST:PORT</c> (<c>SLIPWAY_SWARM_REGISTRY</c>).</summary>
    public string? SwarmRegistry { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory? LoggerFactory { get; init; }

    public string FullHome => Path.GetFullPath(Home);

    public string EdgeSocketPath => EdgeSocket ?? Path.Combine(FullHome, "edge.sock");

    public IPEndPoint ListenEndpoint() =>
        IPEndPoint.TryParse(Listen, out var endpoint) && endpoint.Port != 0 || Listen.EndsWith(":0", StringComparison.Ordinal) && IPEndPoint.TryParse(Listen, out endpoint)
            ? endpoint!
            : throw new ArgumentException($"--listen '{Listen}' is not an address: use HOST:PORT, e.g. {DefaultListen}.");
}
