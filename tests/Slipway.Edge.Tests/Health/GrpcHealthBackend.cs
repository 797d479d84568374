using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Slipway.Edge.Tests.Health;

/// <summary>A real Grpc.AspNetCore server on 127.0.0.1:0, HTTP/2 only, serving the standard gRPC health service.</summary>
internal sealed class GrpcHealthBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcHealthBackend(WebApplication app, HealthServiceImpl health, string url)
    {
        _app = app;
        Health = health;
        Url = url;
    }

    /// <summary>Set a service's status here; "" is the server as a whole.</summary>
    public HealthServiceImpl Health { get; }

    public string Url { get; }

    public static async Task<GrpcHealthBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var health = new HealthServiceImpl();
        health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
        builder.Services.AddSingleton(health);
        var app = builder.Build();
        app.MapGrpcService<HealthServiceImpl>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GrpcHealthBackend(app, health, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
