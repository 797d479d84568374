using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Slipway.ControlPlane.Api.Contracts;

namespace Slipway.FunctionalTests.Cli;

/// <summary>
/// A real Kestrel server on 127.0.0.1:0 with canned admin API routes, shaped per docs/admin-api.md. It stands in
/// for the control plane only to test the client side: parsing, reconnects, error mapping, exit codes.
/// </summary>
internal sealed class FakeAdminServer : IAsyncDisposable
{
    public const string Token = "test-token-1234";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly WebApplication _app;

    private FakeAdminServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<FakeAdminServer> StartAsync(Action<WebApplication> routes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "";
            if (path.StartsWith("/api/v1", StringComparison.Ordinal) && context.Request.Headers.Authorization != $"Bearer {Token}")
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsJsonAsync(new ApiError { Error = "missing or unknown bearer token" }, Json);
                return;
            }

            await next(context);
        });
        routes(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FakeAdminServer(app, new Uri(address));
    }

    /// <summary>Writes one server-sent event carrying an <see cref="EventView"/> and flushes it.</summary>
    public static async Task WriteEventAsync(HttpResponse response, long seq, string type, object data)
    {
        var view = new EventView
        {
            Seq = seq,
            At = DateTimeOffset.UnixEpoch,
            Type = type,
            App = "hello",
            Env = "prod",
            DeploymentId = "d1",
            Data = JsonSerializer.SerializeToElement(data, Json),
        };
        await response.WriteAsync($"id: {seq}\nevent: {type}\ndata: {JsonSerializer.Serialize(view, Json)}\n\n");
        await response.Body.FlushAsync();
    }

    public static DeploymentView Deployment(string status, string phase = "done") => new()
    {
        Id = "d1",
        App = "hello",
        Env = "prod",
        Kind = "deploy",
        Status = status,
        Phase = phase,
        Release = status == "succeeded" ? "r-20261122-abc" : null,
        Revision = "0123456789abcdef0123",
        Generation = status == "succeeded" ? 3 : null,
        DurationMs = 4200,
        ExitCode = status == "failed" ? 1 : null,
        ErrorSummary = status == "failed" ? "build step publish exited 1" : null,
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
