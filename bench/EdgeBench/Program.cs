using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Hosting;
using Slipway.Edge.Services;

// Usage: EdgeBench <listen host:port> <target-url> <home-dir> [h2c host:port]. Runs the real EdgeHost (its
// Kestrel settings, metrics listener and control socket) with one service "bench" routed for any host and path;
// with a fourth argument also its HTTP/2 prior-knowledge listener (--h2c).
if (args.Length is not (3 or 4))
{
    Console.Error.WriteLine("usage: EdgeBench 127.0.0.1:LISTEN http://127.0.0.1:TARGET HOME [127.0.0.1:H2C_LISTEN]");
    return 2;
}

using var loggerFactory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
await using var edge = await EdgeHost.StartAsync(
    new EdgeOptions { Home = args[2], Http = args[0], H2c = args.Length == 4 ? args[3] : null, Admin = null, LoggerFactory = loggerFactory },
    CancellationToken.None);
edge.Services.Upsert("bench", new ServiceDefinition
{
    Routes = [new RouteDefinition { Host = "*", Path = "/" }],
    Health = new HealthCheckDefinition { Path = "/" },
});
try
{
    await edge.Services.SetTargetsAsync("bench", new SetTargetsRequest { Targets = [new TargetDefinition { Id = "backend", Url = args[1] }] }, CancellationToken.None);
}
catch (TargetsNotHealthyException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

var stop = new TaskCompletionSource();
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, context => { context.Cancel = true; stop.TrySetResult(); });
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
await stop.Task;
return 0;
