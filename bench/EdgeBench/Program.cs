using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Forwarding;
using Slipway.Edge.Observability;
using Slipway.Edge.Services;

// Usage: EdgeBench <listen-url> <target-url>. One service "bench" routed for any host and path.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: EdgeBench http://127.0.0.1:LISTEN http://127.0.0.1:TARGET");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
builder.WebHost.UseUrls(args[0]);
var app = builder.Build();

var loggerFactory = app.Services.GetRequiredService<ILoggerFactory>();
await using var registry = new ServiceRegistry(TimeProvider.System, loggerFactory);
using var metrics = new EdgeMetrics();
using var proxy = new EdgeProxy(registry, TimeProvider.System, loggerFactory, metrics);
registry.Upsert("bench", new ServiceDefinition { Routes = [new RouteDefinition { Host = "*", Path = "/" }], Health = new HealthCheckDefinition { Path = "/" } });
try
{
    await registry.SetTargetsAsync("bench", new SetTargetsRequest { Targets = [new TargetDefinition { Id = "backend", Url = args[1] }] }, CancellationToken.None);
}
catch (TargetsNotHealthyException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

app.Run(context => proxy.HandleAsync(context));
await app.RunAsync();
return 0;
