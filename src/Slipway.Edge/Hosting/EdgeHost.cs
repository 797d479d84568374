using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Slipway.Edge.Control;
using Slipway.Edge.Forwarding;
using Slipway.Edge.Observability;
using Slipway.Edge.Persistence;
using Slipway.Edge.Secrets;
using Slipway.Edge.Services;
using Slipway.Edge.Supervision;

namespace Slipway.Edge.Hosting;

/// <summary>
/// A running edge: the public HTTP listener, the optional admin listener (everything to service <c>slipway</c>),
/// the control API on <c>HOME/edge.sock</c>, the supervisor, and the state file that lets the next edge restore
/// routing and re-adopt processes. <c>slipway edge</c> runs one; <c>slipway up</c> runs one in-process.
/// </summary>
public sealed partial class EdgeHost : IAsyncDisposable
{
    public const string AdminService = "slipway";

    private readonly WebApplication _httpApp;
    private readonly WebApplication? _adminApp;
    private readonly WebApplication _controlApp;
    private readonly EdgeStatePersister _persister;
    private readonly PrometheusExporter _exporter;
    private readonly EdgeMetrics _metrics;
    private readonly SupervisorMetrics _supervisorMetrics;
    private readonly EdgeProxy _proxy;
    private readonly ILoggerFactory? _ownedLoggerFactory;
    private readonly ILogger _logger;
    private int _stopped;

    private EdgeHost(
        EdgeOptions options,
        ServiceRegistry services,
        ProcessSupervisor supervisor,
        WebApplication httpApp,
        WebApplication? adminApp,
        WebApplication controlApp,
        EdgeStatePersister persister,
        PrometheusExporter exporter,
        EdgeMetrics metrics,
        EdgeProxy proxy,
        ILoggerFactory? ownedLoggerFactory,
        ILogger logger)
    {
        Options = options;
        Services = services;
        Supervisor = supervisor;
        _httpApp = httpApp;
        _adminApp = adminApp;
        _controlApp = controlApp;
        _persister = persister;
        _exporter = exporter;
        _metrics = metrics;
        _supervisorMetrics = new SupervisorMetrics(supervisor);
        _proxy = proxy;
        _ownedLoggerFactory = ownedLoggerFactory;
        _logger = logger;
        HttpEndpoint = BoundEndpoint(httpApp);
        AdminEndpoint = adminApp is null ? null : BoundEndpoint(adminApp);
    }

    public EdgeOptions Options { get; }

    public ServiceRegistry Services { get; }

    public ProcessSupervisor Supervisor { get; }

    /// <summary>The bound public listener (the real port when port 0 was asked for).</summary>
    public IPEndPoint HttpEndpoint { get; }

    public IPEndPoint? AdminEndpoint { get; }

    public string ControlSocketPath => Options.ControlSocketPath;

    public static string Version { get; } =
        typeof(EdgeHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>
    /// Validates the options (throws <see cref="EdgeOptionsException"/>), loads the state file (throws
    /// <see cref="EdgeStateCorruptException"/>), binds the listeners, re-adopts processes and opens the control socket.
    /// </summary>
    public static async Task<EdgeHost> StartAsync(EdgeOptions options, CancellationToken cancellationToken)
    {
        var (httpEndpoint, adminEndpoint) = options.Validate();
        var ownedLoggerFactory = options.LoggerFactory is null ? CreateConsoleLoggerFactory() : null;
        var loggerFactory = options.LoggerFactory ?? ownedLoggerFactory!;
        var logger = loggerFactory.CreateLogger<EdgeHost>();
        var time = options.TimeProvider;

        Directory.CreateDirectory(options.FullHome);
        Directory.CreateDirectory(Path.GetDirectoryName(options.StatePath)!);
        Directory.CreateDirectory(options.ProcessLogDirectory);
        var store = new EdgeStateStore(options.StatePath);
        var state = store.Load();
        // Before anything is adopted: two edges on one home would both supervise the same processes.
        RemoveStaleSocket(options.ControlSocketPath);

        var services = new ServiceRegistry(time, loggerFactory);
        var supervisor = new ProcessSupervisor(options.ProcessLogDirectory, time, loggerFactory.CreateLogger<ProcessSupervisor>())
        {
            OutputRelay = options.OutputRelay,
            SecretBox = () => new SecretBox(MasterKey.Load(options.FullHome)),
        };
        var exporter = new PrometheusExporter(EdgeMetrics.MeterName);
        var metrics = new EdgeMetrics();
        var proxy = new EdgeProxy(services, time, loggerFactory, metrics);
        var started = new List<WebApplication>();
        EdgeStatePersister? persister = null;
        try
        {
            services.Restore(state.Services);

            var httpApp = BuildApp(options, loggerFactory, kestrel => kestrel.Listen(httpEndpoint));
            httpApp.Run(context => proxy.HandleAsync(context));
            await httpApp.StartAsync(cancellationToken);
            started.Add(httpApp);

            WebApplication? adminApp = null;
            if (adminEndpoint is not null)
            {
                adminApp = BuildApp(options, loggerFactory, kestrel => kestrel.Listen(adminEndpoint));
                adminApp.Run(context => proxy.HandleAsync(context, AdminService));
                await adminApp.StartAsync(cancellationToken);
                started.Add(adminApp);
            }

            supervisor.Adopt(state.Processes);
            persister = new EdgeStatePersister(store, services, supervisor, time, logger);
            await persister.SaveNowAsync(cancellationToken);

            var controlApp = BuildApp(options, loggerFactory, kestrel => kestrel.ListenUnixSocket(options.ControlSocketPath));
            new ControlApi(services, supervisor, exporter, new ControlApiOptions { DefaultWorkingDirectory = options.FullHome, Version = Version })
                .Map(controlApp);
            await controlApp.StartAsync(cancellationToken);
            started.Add(controlApp);
            // Kestrel creates the socket with the process umask; only our user may drive the edge.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(options.ControlSocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            var host = new EdgeHost(options, services, supervisor, httpApp, adminApp, controlApp, persister, exporter, metrics, proxy, ownedLoggerFactory, logger);
            Log.Started(logger, host.HttpEndpoint.ToString(), host.AdminEndpoint?.ToString() ?? "none", options.ControlSocketPath);
            return host;
        }
        catch
        {
            foreach (var app in started)
            {
                await app.StopAsync(CancellationToken.None);
                await app.DisposeAsync();
            }

            await supervisor.ShutdownAsync(stopProcesses: false, CancellationToken.None);
            if (persister is not null)
            {
                await persister.DisposeAsync();
            }

            await services.DisposeAsync();
            proxy.Dispose();
            metrics.Dispose();
            exporter.Dispose();
            ownedLoggerFactory?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Stops accepting, drains in-flight requests (bounded by <see cref="EdgeOptions.DrainTimeout"/>), saves the
    /// state. Supervised processes keep running for the next edge unless <paramref name="stopProcesses"/>.
    /// </summary>
    public async Task StopAsync(bool stopProcesses, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        Log.Stopping(_logger, stopProcesses);
        await _controlApp.StopAsync(cancellationToken);
        using (var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            drain.CancelAfter(Options.DrainTimeout);
            await Task.WhenAll(_httpApp.StopAsync(drain.Token), _adminApp?.StopAsync(drain.Token) ?? Task.CompletedTask);
        }

        await Supervisor.ShutdownAsync(stopProcesses, cancellationToken);
        await _persister.SaveNowAsync(cancellationToken);
        await _persister.DisposeAsync();

        await _controlApp.DisposeAsync();
        await _httpApp.DisposeAsync();
        if (_adminApp is not null)
        {
            await _adminApp.DisposeAsync();
        }

        await Services.DisposeAsync();
        _proxy.Dispose();
        _metrics.Dispose();
        _supervisorMetrics.Dispose();
        _exporter.Dispose();
        TryDelete(Options.ControlSocketPath);
        Log.Stopped(_logger);
        _ownedLoggerFactory?.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync(stopProcesses: false, CancellationToken.None);

    private static WebApplication BuildApp(EdgeOptions options, ILoggerFactory loggerFactory, Action<KestrelServerOptions> listen)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = options.FullHome });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton<IHostLifetime, HostedByEdgeLifetime>();
        builder.WebHost.UseShutdownTimeout(options.DrainTimeout);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // The proxy enforces each service's own body limit.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(2);
            listen(kestrel);
        });
        return builder.Build();
    }

    private static IPEndPoint BoundEndpoint(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(address);
        return new IPEndPoint(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port);
    }

    /// <summary>A socket file nobody answers on is left over from an edge that died; one that answers belongs to a live edge.</summary>
    private static void RemoveStaleSocket(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new InvalidOperationException(
                    $"Another edge is already running with this home (its control socket {path} answers). Stop it first, or use another --home.");
            }
            catch (SocketException)
            {
                // Nobody listening: stale.
            }
        }

        File.Delete(path);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    private static ILoggerFactory CreateConsoleLoggerFactory() => LoggerFactory.Create(logging => logging
        .SetMinimumLevel(LogLevel.Information)
        .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
        .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning)
        // A listener that fails to start is reported once, by whoever called StartAsync.
        .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None)
        .AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss ";
        }));

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Edge listening on http://{Http} (admin: {Admin}), control socket {Socket}")]
        public static partial void Started(ILogger logger, string http, string admin, string socket);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Edge stopping (stop processes: {StopProcesses}); draining in-flight requests")]
        public static partial void Stopping(ILogger logger, bool stopProcesses);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Edge stopped")]
        public static partial void Stopped(ILogger logger);
    }
}
