using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Slipway.Edge.Control;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Forwarding;
using Slipway.Edge.Handover;
using Slipway.Edge.Observability;
using Slipway.Edge.Persistence;
using Slipway.Edge.Secrets;
using Slipway.Edge.Services;
using Slipway.Edge.Supervision;
using Slipway.Edge.Tls;

namespace Slipway.Edge.Hosting;

/// <summary>
/// A running edge: the public HTTP listener, the optional admin listener (everything to service <c>slipway</c>),
/// the control API on <c>HOME/edge.sock</c>, the supervisor, and the state file that lets the next edge restore
/// routing and re-adopt processes. <c>slipway edge</c> runs one; <c>slipway up</c> runs one in-process.
/// </summary>
public sealed partial class EdgeHost : IAsyncDisposable
{
    public const string AdminService = "slipway";

    /// <summary>How long a new edge waits for each answer of the running edge during a takeover.</summary>
    private static readonly TimeSpan TakeoverStepTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a new edge waits for restored targets to be probed before it serves anyway.</summary>
    private static readonly TimeSpan HealthSettleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a connection accepted just before a handover has to start its first request.</summary>
    private static readonly TimeSpan AcceptedRequestWait = TimeSpan.FromSeconds(2);

    private readonly WebApplication _httpApp;
    private readonly WebApplication? _adminApp;
    private readonly WebApplication? _h2cApp;
    private readonly WebApplication? _httpsApp;
    private readonly WebApplication _controlApp;
    private readonly EdgeStateStore _store;
    private readonly IReadOnlyList<EdgeListener> _listeners;
    private readonly AcceptGate _accepts;
    private readonly ControlGate _gate;
    private readonly EdgeUpgrader _upgrader;
    private readonly TaskCompletionSource<UpgradeResult> _handedOver = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private EdgeStatePersister _persister;
    private UpgradeResult? _handover;
    private readonly PrometheusExporter _exporter;
    private readonly EdgeMetrics _metrics;
    private readonly SupervisorMetrics _supervisorMetrics;
    private readonly EdgeProxy _proxy;
    private readonly ILoggerFactory? _ownedLoggerFactory;
    private readonly ILogger _logger;
    private readonly Lock _stopLock = new();
    private Task? _stopping;
    private Task _upgrade = Task.CompletedTask;

    private EdgeHost(
        EdgeOptions options,
        ServiceRegistry services,
        ProcessSupervisor supervisor,
        WebApplication httpApp,
        WebApplication? adminApp,
        WebApplication? h2cApp,
        WebApplication? httpsApp,
        EdgeTls tls,
        WebApplication controlApp,
        EdgeStateStore store,
        EdgeStatePersister persister,
        IReadOnlyList<EdgeListener> listeners,
        ControlGate gate,
        AcceptGate accepts,
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
        _h2cApp = h2cApp;
        _httpsApp = httpsApp;
        Tls = tls;
        _controlApp = controlApp;
        _store = store;
        _persister = persister;
        _listeners = listeners;
        _gate = gate;
        _accepts = accepts;
        _upgrader = new EdgeUpgrader(options.FullHome, UpgradeLogFile(options), options.DrainTimeout, listeners, gate,
            FreezeAsync, ThawAsync, options.TimeProvider, logger)
        {
            TrustedProxies = options.TrustedProxies,
        };
        _exporter = exporter;
        _metrics = metrics;
        _supervisorMetrics = new SupervisorMetrics(supervisor);
        _proxy = proxy;
        _ownedLoggerFactory = ownedLoggerFactory;
        _logger = logger;
        HttpEndpoint = listeners.Single(l => l.Name == EdgeListener.Http).IPEndPoint!;
        AdminEndpoint = listeners.SingleOrDefault(l => l.Name == EdgeListener.Admin)?.IPEndPoint;
        H2cEndpoint = listeners.SingleOrDefault(l => l.Name == EdgeListener.H2c)?.IPEndPoint;
        HttpsEndpoint = listeners.SingleOrDefault(l => l.Name == EdgeListener.Https)?.IPEndPoint;
    }

    public EdgeOptions Options { get; }

    public ServiceRegistry Services { get; }

    public ProcessSupervisor Supervisor { get; }

    /// <summary>The bound public listener (the real port when port 0 was asked for).</summary>
    public IPEndPoint HttpEndpoint { get; }

    public IPEndPoint? AdminEndpoint { get; }

    /// <summary>The bound HTTP/2 prior-knowledge listener, if one was asked for.</summary>
    public IPEndPoint? H2cEndpoint { get; }

    /// <summary>The bound TLS listener; null without <c>--https</c>.</summary>
    public IPEndPoint? HttpsEndpoint { get; }

    internal EdgeTls Tls { get; }

    public string ControlSocketPath => Options.ControlSocketPath;

    /// <summary>Completes once an upgrade handed this edge's listeners and processes to a new edge and this one drained.</summary>
    public Task<UpgradeResult> HandedOver => _handedOver.Task;

    /// <summary>True once an upgrade handed this edge over (it may still be draining).</summary>
    public bool IsHandedOver => Volatile.Read(ref _handover) is not null;

    /// <summary>Where an edge started by an upgrade writes its output.</summary>
    public static string UpgradeLogFile(EdgeOptions options) => Path.Combine(options.FullHome, "logs", "edge.log");

    public static string Version { get; } =
        typeof(EdgeHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>
    /// Validates the options (throws <see cref="EdgeOptionsException"/>), loads the state file (throws
    /// <see cref="EdgeStateCorruptException"/>), binds the listeners, re-adopts processes and opens the control socket.
    /// </summary>
    public static async Task<EdgeHost> StartAsync(EdgeOptions options, CancellationToken cancellationToken)
    {
        var (httpEndpoint, adminEndpoint) = options.Validate(out var h2cEndpoint, out var httpsEndpoint);
        PrepareHome(options);
        var store = new EdgeStateStore(options.StatePath);
        var state = store.Load();
        // Before anything is adopted: two edges on one home would both supervise the same processes.
        RemoveStaleSocket(options.ControlSocketPath);

        var listeners = new List<EdgeListener>();
        try
        {
            listeners.Add(Bind($"--http {options.Http}", () => EdgeListener.BindTcp(EdgeListener.Http, httpEndpoint)));
            if (adminEndpoint is not null)
            {
                listeners.Add(Bind($"--admin {options.Admin}", () => EdgeListener.BindTcp(EdgeListener.Admin, adminEndpoint)));
            }

            if (h2cEndpoint is not null)
            {
                listeners.Add(Bind($"--h2c {options.H2c}", () => EdgeListener.BindTcp(EdgeListener.H2c, h2cEndpoint)));
            }

            if (httpsEndpoint is not null)
            {
                listeners.Add(Bind($"--https {options.Https}", () => EdgeListener.BindTcp(EdgeListener.Https, httpsEndpoint)));
                EdgeTls.SaveAcmeSettings(options);
            }

            listeners.Add(Bind(options.ControlSocketPath, () => EdgeListener.BindUnix(EdgeListener.Control, options.ControlSocketPath)));
        }
        catch
        {
            listeners.ForEach(l => l.Dispose());
            throw;
        }

        return await StartCoreAsync(options, store, state, listeners, takeover: false, cancellationToken);
    }

    /// <summary>
    /// The new edge of an upgrade (<c>slipway edge --takeover NAME</c>): receives the running edge's listening
    /// sockets over the handover socket <paramref name="handover"/>, waits until that edge froze its state,
    /// loads it, re-adopts the processes and serves on the same sockets. Throws when the handover fails;
    /// the running edge then keeps serving.
    /// </summary>
    public static async Task<EdgeHost> TakeOverAsync(EdgeOptions options, string handover, CancellationToken cancellationToken)
    {
        PrepareHome(options);
        var time = options.TimeProvider;
        using var channel = HandoverChannel.Connect(handover);
        channel.Send(new HandoverMessage { Type = HandoverMessage.Hello, Pid = Environment.ProcessId, Version = Version });
        var (offer, descriptors) = await Task.Run(() => channel.Receive(time.GetUtcNow() + TakeoverStepTimeout, time), cancellationToken);
        var names = offer.Names ?? [];
        if (offer.Type != HandoverMessage.Listeners || names.Count != descriptors.Length || !names.Contains(EdgeListener.Http) || !names.Contains(EdgeListener.Control))
        {
            Array.ForEach(descriptors, d => UnixFdPassing.Close(d));
            throw new IOException($"The running edge sent '{offer.Type}' with {descriptors.Length} descriptors for [{string.Join(", ", names)}]; expected its listeners.");
        }

        var listeners = names.Select((name, i) => EdgeListener.Adopt(name, descriptors[i])).ToList();
        EdgeHost host;
        try
        {
            EdgeFaults.Hit(EdgeFaults.Takeover);
            options = options with
            {
                DrainTimeout = offer.DrainTimeoutMs is int drain ? TimeSpan.FromMilliseconds(drain) : options.DrainTimeout,
                Http = listeners.Single(l => l.Name == EdgeListener.Http).IPEndPoint!.ToString(),
                Admin = listeners.SingleOrDefault(l => l.Name == EdgeListener.Admin)?.IPEndPoint?.ToString(),
                H2c = listeners.SingleOrDefault(l => l.Name == EdgeListener.H2c)?.IPEndPoint?.ToString(),
                TrustedProxies = offer.TrustedProxies ?? options.TrustedProxies,
                Https = listeners.SingleOrDefault(l => l.Name == EdgeListener.Https)?.IPEndPoint?.ToString(),
            };
            options = options with { Acme = EdgeTls.LoadAcmeSettings(options) };
            channel.Send(new HandoverMessage { Type = HandoverMessage.Ready, Pid = Environment.ProcessId, Version = Version });
            // The running edge first waits for control changes in progress, then saves its final state.
            var (go, extra) = await Task.Run(() => channel.Receive(time.GetUtcNow() + EdgeUpgrader.FreezeTimeout + TakeoverStepTimeout, time), cancellationToken);
            Array.ForEach(extra, d => UnixFdPassing.Close(d));
            if (go.Type != HandoverMessage.Go)
            {
                throw new IOException($"The running edge said '{go.Type}' ({go.Error}) instead of handing over.");
            }

            EdgeFaults.Hit(EdgeFaults.Serve);
            var store = new EdgeStateStore(options.StatePath);
            host = await StartCoreAsync(options, store, store.Load(), listeners, takeover: true, cancellationToken);
        }
        catch (Exception ex)
        {
            listeners.ForEach(l => l.Dispose());
            try
            {
                channel.Send(new HandoverMessage { Type = HandoverMessage.Failed, Pid = Environment.ProcessId, Error = ex.Message });
            }
            catch (Exception sendError) when (sendError is IOException or System.Net.Sockets.SocketException)
            {
                // The running edge is gone or gave up; it keeps its own listeners either way.
            }

            throw;
        }

        try
        {
            channel.Send(new HandoverMessage { Type = HandoverMessage.Serving, Pid = Environment.ProcessId, Version = Version });
            Log.TookOver(host._logger, offer.Pid, offer.Version ?? "?");
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
        {
            // The running edge died after handing over its state: this edge is the one left serving.
            Log.PreviousGone(host._logger, offer.Pid);
        }

        return host;
    }

    private static EdgeListener Bind(string what, Func<EdgeListener> bind)
    {
        try
        {
            return bind();
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new IOException($"Cannot listen on {what}: {ex.Message}", ex);
        }
    }

    private static void PrepareHome(EdgeOptions options)
    {
        // Before anything is written: the state file, logs and sockets are created private to this user.
        HomePermissions.UsePrivateUmask();
        Directory.CreateDirectory(options.FullHome);
        Directory.CreateDirectory(Path.GetDirectoryName(options.StatePath)!);
        Directory.CreateDirectory(options.ProcessLogDirectory);
    }

    private static async Task<EdgeHost> StartCoreAsync(
        EdgeOptions options, EdgeStateStore store, EdgeState state, List<EdgeListener> listeners, bool takeover, CancellationToken cancellationToken)
    {
        var ownedLoggerFactory = options.LoggerFactory is null ? CreateConsoleLoggerFactory() : null;
        var loggerFactory = options.LoggerFactory ?? ownedLoggerFactory!;
        var logger = loggerFactory.CreateLogger<EdgeHost>();
        var time = options.TimeProvider;
        if (HomePermissions.Secure(options.FullHome) is > 0 and var repaired)
        {
            Log.HomeRepaired(logger, options.FullHome, repaired);
        }

        var supervisor = new ProcessSupervisor(options.ProcessLogDirectory, time, loggerFactory.CreateLogger<ProcessSupervisor>())
        {
            OutputRelay = options.OutputRelay,
            SecretBox = () => new SecretBox(MasterKey.Load(options.FullHome)),
        };
        // Nothing reaches a port handed to a supervised process unless that process serves it (port squatting).
        var portGuard = new PortGuard(supervisor.ClaimsOf);
        var services = new ServiceRegistry(time, loggerFactory, portGuard);
        var exporter = new PrometheusExporter(EdgeMetrics.MeterName);
        var metrics = new EdgeMetrics();
        metrics.ObserveTargets(services);
        var proxy = new EdgeProxy(services, time, loggerFactory, metrics, options.ParseTrustedProxies(), portGuard);
        var gate = new ControlGate();
        var started = new List<WebApplication>();
        EdgeStatePersister? persister = null;
        EdgeTls? tls = null;
        try
        {
            services.Restore(state.Services);
            var http = listeners.Single(l => l.Name == EdgeListener.Http);
            var admin = listeners.SingleOrDefault(l => l.Name == EdgeListener.Admin);
            var https = listeners.SingleOrDefault(l => l.Name == EdgeListener.Https);
            tls = EdgeTls.Create(options, services, https?.IPEndPoint?.Port, loggerFactory);
            var front = tls.Front;
            // The traffic listeners share one accept gate: after a handover this edge stops accepting before it stops.
            var accepts = new AcceptGate(loggerFactory);
            var httpApp = BuildApp(options, loggerFactory, kestrel => kestrel.ListenHandle(http.DuplicateForServer(), accepts.Track), accepts);
            httpApp.Use(accepts.RequestStartedAsync);
            httpApp.Use(front.HandleHttpAsync);
            httpApp.Run(context => proxy.HandleAsync(context));
            var setup = tls.Listener;
            var httpsApp = https is null ? null : BuildApp(options, loggerFactory, kestrel => kestrel.ListenHandle(https.DuplicateForServer(), listen =>
            {
                accepts.Track(listen);
                setup.Configure(listen);
            }), accepts);
            httpsApp?.Use(accepts.RequestStartedAsync);
            httpsApp?.Use(front.HandleHttpsAsync);
            httpsApp?.Run(context => proxy.HandleAsync(context));
            var adminApp = admin is null ? null : BuildApp(options, loggerFactory, kestrel => kestrel.ListenHandle(admin.DuplicateForServer(), accepts.Track), accepts);
            adminApp?.Use(accepts.RequestStartedAsync);
            adminApp?.Run(context => proxy.HandleAsync(context, AdminService));
            var h2c = listeners.SingleOrDefault(l => l.Name == EdgeListener.H2c);
            // HTTP/2 alone on a cleartext socket is prior knowledge: the client opens with the HTTP/2 preface.
            var h2cApp = h2c is null ? null : BuildApp(options, loggerFactory, kestrel => kestrel.ListenHandle(h2c.DuplicateForServer(), listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                accepts.Track(listen);
            }), accepts);
            h2cApp?.Use(accepts.RequestStartedAsync);
            h2cApp?.Run(context => proxy.HandleAsync(context));
            if (!takeover)
            {
                await StartAppAsync(httpApp, started, cancellationToken);
                await StartAppAsync(adminApp, started, cancellationToken);
                await StartAppAsync(h2cApp, started, cancellationToken);
                await StartAppAsync(httpsApp, started, cancellationToken);
            }

            supervisor.Adopt(state.Processes);
            persister = new EdgeStatePersister(store, services, supervisor, time, logger);
            await persister.SaveNowAsync(cancellationToken);

            var control = listeners.Single(l => l.Name == EdgeListener.Control);
            var controlApp = BuildApp(options, loggerFactory, kestrel => kestrel.ListenHandle(control.DuplicateForServer()));
            EdgeHost? host = null;
            controlApp.Use(async (context, next) =>
            {
                // Reads go ahead; changes wait while an upgrade hands the state over (the upgrade itself is exempt).
                if (HttpMethods.IsGet(context.Request.Method) || context.Request.Path.StartsWithSegments("/upgrade"))
                {
                    await next(context);
                    return;
                }

                if (!await gate.EnterAsync(context.RequestAborted))
                {
                    // Handed over while it waited: the new edge owns the state now and answers it.
                    await ControlForwarder.ForwardAsync(context, options.ControlSocketPath, context.RequestAborted);
                    return;
                }

                try
                {
                    await next(context);
                }
                finally
                {
                    gate.Exit();
                }
            });
            new ControlApi(services, supervisor, exporter, new ControlApiOptions
            {
                DefaultWorkingDirectory = options.FullHome,
                Version = Version,
                Upgrade = (request, token) => host!.UpgradeAsync(request, token),
                Certificates = new CertificateControl(tls, time),
            }).Map(controlApp);
            await StartAppAsync(controlApp, started, cancellationToken);

            if (takeover)
            {
                // The previous edge serves until this one knows which targets are healthy; restored targets start unknown.
                await WaitForHealthAsync(services, time, cancellationToken);
                await StartAppAsync(httpApp, started, cancellationToken);
                await StartAppAsync(adminApp, started, cancellationToken);
                await StartAppAsync(h2cApp, started, cancellationToken);
                await StartAppAsync(httpsApp, started, cancellationToken);
            }

            tls.Start();
            host = new EdgeHost(options, services, supervisor, httpApp, adminApp, h2cApp, httpsApp, tls, controlApp, store, persister, listeners, gate, accepts, exporter, metrics, proxy, ownedLoggerFactory, logger);
            Log.Started(logger, host.HttpEndpoint.ToString(), host.AdminEndpoint?.ToString() ?? "none", host.HttpsEndpoint?.ToString() ?? "none", options.ControlSocketPath);
            if (host.H2cEndpoint is { } h2cEndpoint)
            {
                Log.H2cListening(logger, h2cEndpoint.ToString());
            }
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
            if (tls is not null)
            {
                await tls.DisposeAsync();
            }

            proxy.Dispose();
            metrics.Dispose();
            exporter.Dispose();
            listeners.ForEach(l => l.Dispose());
            ownedLoggerFactory?.Dispose();
            throw;
        }
    }

    private static async Task StartAppAsync(WebApplication? app, List<WebApplication> started, CancellationToken cancellationToken)
    {
        if (app is null)
        {
            return;
        }

        await app.StartAsync(cancellationToken);
        started.Add(app);
    }

    private static async Task WaitForHealthAsync(ServiceRegistry services, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + HealthSettleTimeout;
        while (time.GetUtcNow() < deadline
            && services.List().SelectMany(s => s.Targets).Any(t => t.Health == TargetHealth.Unknown && t.LastProbe is not { Ok: false }))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(25), time, cancellationToken);
        }
    }

    /// <summary>
    /// <c>POST /upgrade</c>: hands the listeners and processes to a new edge; once it serves, this edge stops
    /// accepting, drains and completes <see cref="HandedOver"/> in the background.
    /// </summary>
    internal async Task<UpgradeResult> UpgradeAsync(UpgradeRequest request, CancellationToken cancellationToken)
    {
        Task<UpgradeResult> upgrade;
        lock (_stopLock)
        {
            if (_stopping is not null)
            {
                throw new ControlException(409, new ControlError { Error = "This edge is stopping; it cannot be upgraded." });
            }

            // Runs to its end (bounded by the request's timeout) even if the caller goes away: an upgrade cut off
            // half-way would kill a new edge that may already serve.
            upgrade = _upgrader.UpgradeAsync(request, CancellationToken.None);
            _upgrade = upgrade;
        }

        var result = await upgrade;
        Volatile.Write(ref _handover, result);
        NotifyMainPid(result.Current.Pid);
        _ = Task.Run(async () =>
        {
            await StopAsync(stopProcesses: false, CancellationToken.None);
            _handedOver.TrySetResult(result);
        }, CancellationToken.None);
        return result;
    }

    /// <summary>
    /// Under systemd this process is the unit's main process until now: naming its successor keeps the service
    /// tracked (a later stop signals the new edge, and this one's exit is not taken for the service's end).
    /// </summary>
    private void NotifyMainPid(int pid)
    {
        if (Options.Notify is not { } notify)
        {
            return;
        }

        if (notify.MainPid(pid, $"Edge upgraded: pid {pid} serves", out var error))
        {
            Log.NotifiedMainPid(_logger, pid, notify.Socket);
        }
        else
        {
            Log.NotifyFailed(_logger, error ?? "?");
        }
    }

    /// <summary>The new edge is ready: stop watching the processes (they keep running) and write the final state for it.</summary>
    private async Task FreezeAsync(CancellationToken cancellationToken)
    {
        await Supervisor.ShutdownAsync(stopProcesses: false, cancellationToken);
        await _persister.SaveNowAsync(cancellationToken);
        await _persister.DisposeAsync();
    }

    /// <summary>The handover failed after the freeze: supervise and persist again, as before.</summary>
    private async Task ThawAsync()
    {
        Supervisor.Resume();
        _persister = new EdgeStatePersister(_store, Services, Supervisor, Options.TimeProvider, _logger);
        await _persister.SaveNowAsync(CancellationToken.None);
    }

    /// <summary>
    /// Stops accepting, drains in-flight requests (bounded by <see cref="EdgeOptions.DrainTimeout"/>), saves the
    /// state. Supervised processes keep running for the next edge unless <paramref name="stopProcesses"/>.
    /// </summary>
    public Task StopAsync(bool stopProcesses, CancellationToken cancellationToken)
    {
        lock (_stopLock)
        {
            // A second caller (SIGTERM during an upgrade's drain) waits for the same stop.
            return _stopping ??= StopCoreAsync(stopProcesses, cancellationToken);
        }
    }

    private async Task StopCoreAsync(bool stopProcesses, CancellationToken cancellationToken)
    {
        // An upgrade in flight decides who owns the sockets and the state; let it finish (or fail) first.
        await Task.WhenAny(_upgrade);

        var handedOver = _handover is not null;
        Log.Stopping(_logger, stopProcesses);
        if (handedOver)
        {
            // The next edge serves on these very sockets: closing ours must not shut them down.
            foreach (var listener in _listeners)
            {
                listener.MarkShared();
            }
        }

        if (handedOver)
        {
            // New connections go to the next edge from now on; the ones this edge took get to start their request
            // before Kestrel's stop, which would close them unanswered otherwise.
            var waiting = await _accepts.StopAcceptingAsync(AcceptedRequestWait, Options.TimeProvider) ? 0 : _accepts.Waiting;
            Log.StoppedAccepting(_logger, waiting);
        }

        await _controlApp.StopAsync(cancellationToken);
        using (var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            drain.CancelAfter(Options.DrainTimeout);
            await Task.WhenAll(_httpApp.StopAsync(drain.Token), _adminApp?.StopAsync(drain.Token) ?? Task.CompletedTask, _h2cApp?.StopAsync(drain.Token) ?? Task.CompletedTask,
                _httpsApp?.StopAsync(drain.Token) ?? Task.CompletedTask);
        }

        if (!handedOver)
        {
            // After a handover the supervisor and the state file already belong to the next edge.
            await Supervisor.ShutdownAsync(stopProcesses, cancellationToken);
            await _persister.SaveNowAsync(cancellationToken);
            await _persister.DisposeAsync();
        }

        await _controlApp.DisposeAsync();
        await _httpApp.DisposeAsync();
        if (_adminApp is not null)
        {
            await _adminApp.DisposeAsync();
        }

        if (_h2cApp is not null)
        {
            await _h2cApp.DisposeAsync();
        }

        if (_httpsApp is not null)
        {
            await _httpsApp.DisposeAsync();
        }

        await Tls.DisposeAsync();

        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        await Services.DisposeAsync();
        _proxy.Dispose();
        _metrics.Dispose();
        _supervisorMetrics.Dispose();
        _exporter.Dispose();
        if (!handedOver)
        {
            TryDelete(Options.ControlSocketPath);
        }

        Log.Stopped(_logger);
        _ownedLoggerFactory?.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync(stopProcesses: false, CancellationToken.None);

    private static WebApplication BuildApp(EdgeOptions options, ILoggerFactory loggerFactory, Action<KestrelServerOptions> listen, AcceptGate? accepts = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = options.FullHome });
        // ASP.NET Core's request diagnostics logger, when enabled at any level, makes every request start an
        // Activity and a log scope (about 500 bytes and an ExecutionContext copy per request, bench/edge-profile.sh);
        // it only logs "request starting/finished", which the edge does not want, so it is off. The rest of
        // ASP.NET Core's logging reaches the host's loggers, whose own filters decide.
        builder.Logging.ClearProviders()
            .SetMinimumLevel(LogLevel.Trace)
            .AddProvider(new HostLoggers(loggerFactory))
            .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
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
        if (accepts is not null)
        {
            // Registered after Kestrel's own socket transport, so Kestrel binds through it (it tries the last first).
            builder.Services.AddSingleton<IConnectionListenerFactory>(accepts);
        }

        return builder.Build();
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
        [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Edge listening for HTTP/2 with prior knowledge (h2c) on http://{H2c}")]
        public static partial void H2cListening(ILogger logger, string h2c);

        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Edge listening on http://{Http} (admin: {Admin}, https: {Https}), control socket {Socket}")]
        public static partial void Started(ILogger logger, string http, string admin, string https, string socket);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Edge stopping (stop processes: {StopProcesses}); draining in-flight requests")]
        public static partial void Stopping(ILogger logger, bool stopProcesses);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Edge stopped")]
        public static partial void Stopped(ILogger logger);

        [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Edge took over from the edge with pid {Pid} (version {Version})")]
        public static partial void TookOver(ILogger logger, int pid, string version);

        [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "The edge with pid {Pid} is gone before it heard that this edge serves; serving anyway")]
        public static partial void PreviousGone(ILogger logger, int pid);

        [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "The Slipway home {Home} was readable by other local users: removed group and other permissions from {Count} entries (directories are now 0700, files 0600 or 0700)")]
        public static partial void HomeRepaired(ILogger logger, string home, int count);

        [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Told the service manager that the new edge (pid {Pid}) is the main process ({Socket})")]
        public static partial void NotifiedMainPid(ILogger logger, int pid, string socket);

        [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Could not notify the service manager: {Error}")]
        public static partial void NotifyFailed(ILogger logger, string error);

        [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Stopped accepting connections (the next edge takes them); {Waiting} accepted connection(s) still had not started a request")]
        public static partial void StoppedAccepting(ILogger logger, int waiting);
    }
}
