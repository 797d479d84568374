// A gRPC app for the functional tests: it serves HTTP/2 only (h2c with prior knowledge on PORT), no HTTP/1.1,
// so the edge must speak h2c to it and probe it with the gRPC health service. /version serves the release
// manifest over HTTP/2 for the version probe. Every answer carries the trailer x-generation.
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Slipway.GrpcTestApp;

var builder = WebApplication.CreateSlimBuilder(args);
var port = int.Parse(Environment.GetEnvironmentVariable("PORT") ?? "5000", System.Globalization.CultureInfo.InvariantCulture);
builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port, listen => listen.Protocols = HttpProtocols.Http2));
builder.Logging.ClearProviders();
builder.Services.AddGrpc();
var health = new HealthServiceImpl();
health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
health.SetStatus("slipway.test.Echo", HealthCheckResponse.Types.ServingStatus.Serving);
builder.Services.AddSingleton(health);
var app = builder.Build();

var manifestPath = Environment.GetEnvironmentVariable("SLIPWAY_RELEASE_MANIFEST");
app.MapGrpcService<EchoService>();
app.MapGrpcService<HealthServiceImpl>();
app.MapGet("/version", () => Results.Text(
    manifestPath is not null && File.Exists(manifestPath) ? File.ReadAllText(manifestPath) : "{}", "application/json"));
app.Run();

internal sealed class EchoService : Echo.EchoBase
{
    private static readonly string Generation = Environment.GetEnvironmentVariable("SLIPWAY_GENERATION") ?? "0";

    public override async Task<HelloReply> Hello(HelloRequest request, ServerCallContext context)
    {
        if (request.DelayMs > 0)
        {
            await Task.Delay(request.DelayMs, context.CancellationToken);
        }

        context.ResponseTrailers.Add("x-generation", Generation);
        return new HelloReply { Message = $"hello {request.Name}", Generation = Generation };
    }

    public override async Task Count(CountRequest request, IServerStreamWriter<CountReply> responseStream, ServerCallContext context)
    {
        context.ResponseTrailers.Add("x-generation", Generation);
        for (var n = 0; request.Count == 0 || n < request.Count; n++)
        {
            await responseStream.WriteAsync(new CountReply { N = n, Generation = Generation }, context.CancellationToken);
            if (request.IntervalMs > 0)
            {
                await Task.Delay(request.IntervalMs, context.CancellationToken);
            }
        }
    }
}
