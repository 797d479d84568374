using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Hosting;
using Slipway.Edge.Services;

// Usage: EdgeBench <listen host:port> <target-url> <home-dir> [h2c host:port] [--https host:port cert.pem key.pem].
// Runs the real EdgeHost (its Kestrel settings, metrics listener and control socket) with one service "bench"
// routed for any host and path; with a fourth argument also its HTTP/2 prior-knowledge listener (--h2c); with
// --https also its TLS listener serving that certificate as the default.
var httpsAt = Array.IndexOf(args, "--https");
string[]? https = httpsAt >= 0 && args.Length == httpsAt + 4 ? args[(httpsAt + 1)..] : null;
args = httpsAt >= 0 ? args[..httpsAt] : args;
if (args.Length is not (3 or 4) || (httpsAt >= 0 && https is null))
{
    Console.Error.WriteLine("usage: EdgeBench 127.0.0.1:LISTEN http://127.0.0.1:TARGET HOME [127.0.0.1:H2C_LISTEN] [--https 127.0.0.1:HTTPS CERT.pem KEY.pem]");
    return 2;
}

using var loggerFactory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
await using var edge = await EdgeHost.StartAsync(
    new EdgeOptions { Home = args[2], Http = args[0], H2c = args.Length == 4 ? args[3] : null, Https = https?[0], Admin = null, LoggerFactory = loggerFactory },
    CancellationToken.None);
if (https is not null)
{
    using var control = new Slipway.Edge.Control.EdgeControlClient(edge.ControlSocketPath);
    await control.AddCertificateAsync(
        new AddCertificateRequest { Host = "*", CertificatePem = await File.ReadAllTextAsync(https[1]), KeyPem = await File.ReadAllTextAsync(https[2]) },
        CancellationToken.None);
}

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

using var allocationProbe = Slipway.Bench.AllocationProbe.Register();
var stop = new TaskCompletionSource();
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, context => { context.Cancel = true; stop.TrySetResult(); });
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
await stop.Task;
return 0;
