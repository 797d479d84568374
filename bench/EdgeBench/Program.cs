using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Hosting;
using Slipway.Edge.Services;

// Usage: EdgeBench <listen host:port> <target-url> <home-dir> [<https host:port> <cert.pem> <key.pem>]. Runs the
// real EdgeHost (its Kestrel settings, metrics listener and control socket) with one service "bench" routed for
// any host and path; with the last three, also its TLS listener serving that certificate as the default.
if (args.Length is not (3 or 6))
{
    Console.Error.WriteLine("usage: EdgeBench 127.0.0.1:LISTEN http://127.0.0.1:TARGET HOME [127.0.0.1:HTTPS CERT.pem KEY.pem]");
    return 2;
}

using var loggerFactory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
await using var edge = await EdgeHost.StartAsync(
    new EdgeOptions { Home = args[2], Http = args[0], Admin = null, Https = args.Length == 6 ? args[3] : null, LoggerFactory = loggerFactory },
    CancellationToken.None);
if (args.Length == 6)
{
    using var control = new Slipway.Edge.Control.EdgeControlClient(edge.ControlSocketPath);
    await control.AddCertificateAsync(
        new AddCertificateRequest { Host = "*", CertificatePem = await File.ReadAllTextAsync(args[4]), KeyPem = await File.ReadAllTextAsync(args[5]) },
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

var stop = new TaskCompletionSource();
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, context => { context.Cancel = true; stop.TrySetResult(); });
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
await stop.Task;
return 0;
