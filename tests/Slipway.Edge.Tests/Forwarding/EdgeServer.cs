using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Forwarding;
using Slipway.Edge.Observability;
using Slipway.Edge.Services;

namespace Slipway.Edge.Tests.Forwarding;

/// <summary>The real <see cref="EdgeProxy"/> hosted in a real Kestrel server on 127.0.0.1:0.</summary>
internal sealed class EdgeServer : IAsyncDisposable
{
    /// <summary>Fast probes so tests swap in a few hundred milliseconds.</summary>
    public static readonly HealthCheckDefinition FastHealth = new() { IntervalMs = 100, TimeoutMs = 1_000, HealthyThreshold = 1, UnhealthyThreshold = 2 };

    private readonly WebApplication _app;

    private EdgeServer(WebApplication app, ServiceRegistry registry, EdgeProxy proxy, EdgeMetrics metrics, string url)
    {
        _app = app;
        Registry = registry;
        Proxy = proxy;
        Metrics = metrics;
        Url = url;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = new Uri(url),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public ServiceRegistry Registry { get; }

    public EdgeProxy Proxy { get; }

    public EdgeMetrics Metrics { get; }

    public string Url { get; }

    public int Port => new Uri(Url).Port;

    public HttpClient Client { get; }

    /// <param name="trustedProxies">Peers whose forwarding headers the edge keeps.</param>
    /// <param name="protocols">What the listener speaks (HTTP/2 alone is h2c with prior knowledge).</param>
    /// <param name="loggerFactory">Where the proxy logs; none by default.</param>
    public static async Task<EdgeServer> StartAsync(TrustedProxies? trustedProxies = null, HttpProtocols protocols = HttpProtocols.Http1, ILoggerFactory? loggerFactory = null)
    {
        var registry = new ServiceRegistry(TimeProvider.System, NullLoggerFactory.Instance);
        var metrics = new EdgeMetrics();
        var proxy = new EdgeProxy(registry, TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance, metrics, trustedProxies);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.Protocols = protocols));
        var app = builder.Build();
        app.Run(context => proxy.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EdgeServer(app, registry, proxy, metrics, address);
    }

    /// <summary>Creates a service routed for any host at <paramref name="path"/> and swaps in the backends.</summary>
    public async Task<SetTargetsResult> AddServiceAsync(string name, IEnumerable<TestBackend> backends, ServiceDefinition? definition = null, string path = "/")
    {
        Registry.Upsert(name, definition ?? new ServiceDefinition { Routes = [new RouteDefinition { Host = "*", Path = path }], Health = FastHealth });
        return await Registry.SetTargetsAsync(name, Targets(backends), CancellationToken.None);
    }

    public static SetTargetsRequest Targets(IEnumerable<TestBackend> backends, int drainMs = 30_000, int deployMs = 10_000) => new()
    {
        Targets = [.. backends.Select(b => new TargetDefinition { Id = b.Id, Url = b.Url })],
        DrainTimeoutMs = drainMs,
        DeployTimeoutMs = deployMs,
    };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await _app.DisposeAsync();
        await Registry.DisposeAsync();
        Proxy.Dispose();
        Metrics.Dispose();
    }
}
