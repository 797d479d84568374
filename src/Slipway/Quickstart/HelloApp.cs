using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Slipway.Quickstart;

/// <summary>The built-in example's process (<c>slipway example-hello</c>): what examples/hello/Program.cs serves.</summary>
internal static class HelloApp
{
    public static async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var port = Environment.GetEnvironmentVariable("PORT") ?? "5000";
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var app = builder.Build();
        var greeting = Environment.GetEnvironmentVariable("GREETING") ?? "Hello from Slipway";
        var manifest = Environment.GetEnvironmentVariable("SLIPWAY_RELEASE_MANIFEST");
        var generation = Environment.GetEnvironmentVariable("SLIPWAY_GENERATION") ?? "?";
        app.MapGet("/", () => Results.Text($"{greeting} (generation {generation})\n"));
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/ready", () => Results.Text("ready\n"));
        app.MapGet("/version", () => manifest is not null && File.Exists(manifest)
            ? Results.Text(File.ReadAllText(manifest), "application/json")
            : Results.Json(new { revision = "unknown", digest = "unknown" }));
        await app.StartAsync(cancellationToken);
        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }
}
