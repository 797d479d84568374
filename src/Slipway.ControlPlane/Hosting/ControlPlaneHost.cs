using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Slipway.ControlPlane.Api;
using Slipway.ControlPlane.Auth;
using Slipway.ControlPlane.Dashboard;
using Slipway.ControlPlane.Dashboard.EdgeCharts;
using Slipway.ControlPlane.Deployments;
using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Pipeline.Build;
using Slipway.ControlPlane.Pipeline.Release;
using Slipway.ControlPlane.Pipeline.Source;
using Slipway.ControlPlane.Processes;
using Slipway.ControlPlane.Reliability;
using Slipway.ControlPlane.Runtime;
using Slipway.ControlPlane.Runtime.Docker;
using Slipway.ControlPlane.Runtime.Swarm;
using Slipway.ControlPlane.Secrets;
using Slipway.ControlPlane.SelfDeploy;
using Slipway.Edge.Secrets;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.ControlPlane.Webhooks;
using Slipway.Edge.Control;
using Slipway.Edge.Observability;

namespace Slipway.ControlPlane.Hosting;

/// <summary>
/// One running control plane: the store, the pipeline, the admin API and the background loop, composed
/// by hand (a handful of sealed types; no container needed to read how they fit).
/// </summary>
public sealed partial class ControlPlaneHost : IAsyncDisposable
{
    /// <summary>The longest one reconcile pass may take before it is cancelled.</summary>
    private static readonly TimeSpan ReconcilePassBound = TimeSpan.FromSeconds(60);

    private readonly WebApplication _app;
    private readonly SlipwayStore _store;
    private readonly DeploymentService _deployments;
    private readonly EventHub _events;
    private readonly EdgeGateway _edge;
    private readonly PrometheusExporter _exporter;
    private readonly ControlPlaneMetrics _metrics;
    private readonly HttpClient _probeClient;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _background;
    private readonly Task _sampling;
    private readonly IDisposable _sampleClient;

    private ControlPlaneHost(WebApplication app, SlipwayStore store, DeploymentService deployments, EventHub events, EdgeGateway edge,
        PrometheusExporter exporter, ControlPlaneMetrics metrics, HttpClient probeClient, Func<CancellationToken, Task> background,
        Func<CancellationToken, Task> sampling, IDisposable sampleClient)
    {
        _sampleClient = sampleClient;
        _app = app;
        _store = store;
        _deployments = deployments;
        _events = events;
        _edge = edge;
        _exporter = exporter;
        _metrics = metrics;
        _probeClient = probeClient;
        _background = Task.Run(() => background(_stopping.Token));
        _sampling = Task.Run(() => sampling(_stopping.Token));
        Endpoint = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => IPEndPoint.Parse(new Uri(a).Authority)).First();
    }

    /// <summary>The bound admin endpoint (the real port when port 0 was asked for).</summary>
    public IPEndPoint Endpoint { get; }

    public Task Stopped => _app.WaitForShutdownAsync();

    /// <summary>Opens the store (throws <see cref="StoreException"/> when it is damaged), binds the API, starts recovery.</summary>
    public static async Task<ControlPlaneHost> StartAsync(ControlPlaneOptions options, CancellationToken cancellationToken)
    {
        var endpoint = options.ListenEndpoint();
        var ports = PortAllocator.Parse(options.Ports);
        var home = options.FullHome;
        // The store, its WAL, logs, releases and mirrors are created private to this user (the edge repairs older homes).
        Slipway.Edge.Hosting.HomePermissions.UsePrivateUmask();
        Directory.CreateDirectory(home);
        var logsRoot = Path.Combine(home, "logs");
        Directory.CreateDirectory(logsRoot);
        var time = options.TimeProvider;

        var store = SlipwayStore.Open(SlipwayStore.PathIn(home), time);
        var secretBox = new Lazy<SecretBox>(() => new SecretBox(MasterKey.Load(home)));
        var appSecrets = new AppSecrets(store, () => secretBox.Value);
        appSecrets.Refresh();
        // From here on no journal row or error summary can carry a value of any app's secret.
        store.Redaction = appSecrets.RedactAll;
        var tokens = new AdminTokens(store);
        store.RequireLease(LeaseHolder.Current);
        // A self-deploy candidate takes the lease only through the handoff (the background loop).
        if (Environment.GetEnvironmentVariable(SelfApp.DeploymentVariable) is null && TryLead(store, options))
        {
            tokens.EnsureLocalToken(home);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (options.LoggerFactory is { } external)
        {
            builder.Services.AddSingleton(external);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(endpoint);
            k.AddServerHeader = false;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        var app = builder.Build();
        var loggerFactory = app.Services.GetRequiredService<ILoggerFactory>();

        var edge = new EdgeGateway(new EdgeControlClient(options.EdgeSocketPath, TimeSpan.FromMinutes(15)));
        var probeClient = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var runner = new ProcessGroupRunner();
        var releases = new ReleaseWriter(Path.Combine(home, "releases"), time);
        var docker = DockerEngine.FromEnvironment();
        var runtimes = new AppRuntimes(new ProcessRuntime(edge, store), new DockerRuntime(docker, DockerLabels.OwnerOf(home), store),
            new SwarmRuntime(SwarmSettings.From(options.SwarmManager, options.SwarmRegistry), DockerLabels.OwnerOf(home), store));
        var warm = new WarmGenerations(runtimes, store, time);
        var locks = new AppLocks();
        var journal = new DeploymentJournal(store, time);
        var pipeline = new DeploymentPipeline(
            store,
            journal,
            new LocalSource(runner),
            new BuildRunner(runner),
            releases,
            new MigratePhase(runner, store),
            new StartPhase(runtimes, store, ports, time),
            new ValidatePhase(runtimes, probeClient, time),
            new ActivatePhase(edge, store, runtimes),
            new Pipeline.Canary.RolloutPhase(edge, store, time, loggerFactory.CreateLogger<Pipeline.Canary.RolloutPhase>()),
            new DrainPhase(edge, store, warm, time),
            runtimes,
            loggerFactory.CreateLogger<DeploymentPipeline>())
        {
            ExcludedSourceDirectories = [home],
            Locks = locks,
            // Private repositories: the app's GIT_USERNAME/GIT_PASSWORD secrets, else the URL or the machine's SSH keys.
            Git = new GitSource(new GitMirror(runner, Path.Combine(home, "git"), options.GitTimeout), app => GitCredentials.From(appSecrets.Values(app))),
        };
        var manifest = ControlPlaneManifest.Load(time);
        var ownUrl = "";
        var leadership = new LeadershipYield();
        var readiness = new Readiness();
        var selfOptions = new SelfDeployOptions { HandoffCeiling = options.SelfHandoffCeiling, LeaseDuration = options.LeaseDuration };
        var gitMirror = new GitMirror(runner, Path.Combine(home, "git"), options.GitTimeout);
        var selfPipeline = new SelfDeployPipeline(store, journal,
            new SelfReleases(store, new LocalSource(runner), gitMirror, new GitSource(gitMirror, app => GitCredentials.From(appSecrets.Values(app))), new BuildRunner(runner), releases, runner)
            {
                ExcludedSourceDirectories = [home],
            },
            new StartPhase(runtimes, store, ports, time), new ValidatePhase(runtimes, probeClient, time), edge, runtimes, leadership, readiness,
            selfOptions, probeClient, time, loggerFactory.CreateLogger<SelfDeployPipeline>())
        {
            OwnUrl = () => ownUrl,
            BinaryCommand = SelfBinary.RunCommand(options),
        };
        var handoff = new CandidateHandoff(store, edge, selfOptions, logsRoot, time, loggerFactory.CreateLogger<CandidateHandoff>())
        {
            OwnDigest = CandidateHandoff.DigestOf(manifest),
            OwnUrl = () => ownUrl,
        };
        if (handoff.IsCandidate)
        {
            // Tests arm this through the candidate's environment: a candidate that never answers its probes.
            FaultInjection.At("candidate:start");
            readiness.MarkCandidate();
        }

        // The control plane's own app runs through the self-deploy pipeline (docs/self-deploy.md), every other app through the usual one.
        var specs = new AppCatalog(store);
        var deployments = new DeploymentService(store, specs,
            (run, ct) => run.App == SelfApp.Name ? selfPipeline.RunAsync(run, ct) : pipeline.RunAsync(run, ct),
            logsRoot, loggerFactory.CreateLogger<DeploymentService>())
        {
            Secrets = appSecrets,
        };
        var metrics = new ControlPlaneMetrics();
        deployments.Ended += d => metrics.DeploymentEnded(StoreNames.ToText(d.Status), d.DurationMs ?? 0);
        var events = new EventHub(store);
        var exporter = new PrometheusExporter(ControlPlaneMetrics.MeterName);
        var lookup = new AppLookup(store, specs);
        var apps = new AppRequests(store, specs, lookup, deployments, edge, warm);
        var queries = new AppQueries(store, specs, lookup, edge, runtimes);
        pipeline.PromoteNext = apps.PromoteNext;

        var statuses = new CommitStatusReporter(probeClient, CommitStatusTarget.FromEnvironment(Environment.GetEnvironmentVariable),
            loggerFactory.CreateLogger<CommitStatusReporter>());
        deployments.Ended += d => _ = Task.Run(() => statuses.EndedAsync(d, CancellationToken.None));
        var webhookSecrets = new WebhookSecrets(store, () => secretBox.Value);
        var api = new AdminApi.Services(store, apps, queries, deployments, events, tokens, edge, readiness, exporter,
            manifest, logsRoot, Path.Combine(home, "releases"),
            new WebhookReceiver(store, apps, queries, webhookSecrets, statuses,
                (name, url, reference, ct) => gitMirror.RemoteTipAsync(url, reference, GitCredentials.From(appSecrets.Values(name)), ct)), webhookSecrets) { Secrets = appSecrets, Time = time };
        AdminApi.Map(app, api);
        // The edge page's charts read the edge's own status and metrics on a client of their own.
        var sampleClient = new EdgeControlClient(options.EdgeSocketPath, TimeSpan.FromSeconds(10));
        var sampler = new EdgeSampler(sampleClient.ListServicesAsync, sampleClient.GetMetricsAsync, time, loggerFactory.CreateLogger<EdgeSampler>())
        {
            Interval = options.EdgeSampleInterval,
        };
        DashboardRoutes.Map(app, new DashboardServices(api, new DashboardSessions(store, tokens, time), sampler, time));
        SelfDeployApi.Map(app, new SelfOperations(store, specs, deployments, selfPipeline, options), deployments, logsRoot);
        app.Lifetime.ApplicationStopping.Register(readiness.MarkDraining);
        await app.StartAsync(cancellationToken);
        ownUrl = "http://" + app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a).Authority).First();

        var logger = loggerFactory.CreateLogger<ControlPlaneHost>();
        var recovery = new StartupRecovery(store, specs, edge, runtimes, loggerFactory.CreateLogger<StartupRecovery>());
        var reconciler = new Reconciler(store, specs, edge, recovery, probeClient, runtimes, RollBackAsync, locks, time, loggerFactory.CreateLogger<Reconciler>())
        {
            FailuresBeforeRestart = options.UnhealthyChecksBeforeRestart,
            RollbackAfter = options.HealthRollbackAfter,
            Secrets = app2 => SecretsOrNone(appSecrets, app2),
        };

        Task RollBackAsync(string app2, string env, string why)
        {
            var (rollback, _) = apps.Rollback(app2, new Api.Contracts.RollbackRequest { Env = env });
            store.AppendEvent(Reconciler.HealthRollback, app2, env, rollback.Id, new { reason = why });
            return Task.CompletedTask;
        }

        async Task BackgroundAsync(CancellationToken stopping)
        {
            var recovered = false;
            var nextReconcile = time.GetUtcNow() + options.ReconcileInterval;
            var tick = options.RenewInterval < options.ReconcileInterval ? options.RenewInterval : options.ReconcileInterval;
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    if (!handoff.MayTakeLease() || !leadership.TryLead(() => TryLead(store, options)))
                    {
                        if (recovered || !readiness.Follower)
                        {
                            Log.Follower(logger, store.ReadLease()?.Holder ?? "?");
                        }

                        recovered = false;
                        readiness.MarkFollower();
                    }
                    else if (!recovered)
                    {
                        readiness.MarkRecovering();
                        handoff.CompleteIfCandidate();
                        tokens.EnsureLocalToken(home);
                        await handoff.RecoverAsync(stopping);
                        await recovery.RunAsync(stopping);
                        // In the background: the replaced instance answers its last requests while the edge drains it.
                        _ = Task.Run(() => StopHandedOverAsync(stopping), CancellationToken.None);
                        recovered = true;
                        readiness.MarkReady();
                        Log.Ready(logger, endpoint.ToString(), store.Fencing ?? 0);
                    }
                    else if (time.GetUtcNow() >= nextReconcile)
                    {
                        nextReconcile = time.GetUtcNow() + options.ReconcileInterval;
                        var tickStarted = time.GetTimestamp();
                        // A call that never answers (an engine or edge that hangs) must not stop every later pass, nor the
                        // lease renewals of this loop: a pass has a bound, then the next one starts over.
                        using var pass = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                        pass.CancelAfter(ReconcilePassBound);
                        try
                        {
                            await reconciler.RunOnceAsync(pass.Token);
                            await warm.ExpireAsync(app2 => specs.TryFind(app2)?.RollbackWindow, pass.Token);
                        }
                        catch (OperationCanceledException) when (pass.IsCancellationRequested && !stopping.IsCancellationRequested)
                        {
                            Log.PassTimedOut(logger, ReconcilePassBound.TotalSeconds);
                        }
                        finally
                        {
                            metrics.ReconcileTicked(time.GetElapsedTime(tickStarted));
                        }
                    }
                }
                catch (Exception e) when (e is EdgeUnavailableException or StoreException or RequestRefusedException or DockerException)
                {
                    Log.LoopFailed(logger, e.Message);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // Anything else is a bug, but this loop renews the lease and reconciles every app: if it ended, the
                    // control plane would go on answering while nothing kept apps running. Log it loudly; try again next tick.
                    Log.LoopCrashed(logger, e.GetType().Name, e.Message, e);
                }

                // Right after start-up, retry soon: recovery waits for an edge that may still be starting. A self-deploy
                // candidate also polls fast: the handoff waits for it to take the lease.
                var wait = (recovered || readiness.Follower) && !(handoff.IsCandidate && readiness.Follower) ? tick : TimeSpan.FromMilliseconds(200);
                await Task.Delay(wait, time, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        async Task StopHandedOverAsync(CancellationToken stopping)
        {
            try
            {
                await handoff.StopHandedOverAsync(stopping);
            }
            catch (Exception e) when (e is EdgeUnavailableException or StoreException or OperationCanceledException)
            {
                Log.LoopFailed(logger, e.Message);
            }
        }

        return new ControlPlaneHost(app, store, deployments, events, edge, exporter, metrics, probeClient, BackgroundAsync, sampler.RunAsync, sampleClient);
    }

    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        await _deployments.DisposeAsync();
        await _app.StopAsync();
        await _background.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _sampling.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        // A clean stop hands over at once; a crash leaves the lease to expire (or to be taken from a dead holder).
        _store.ReleaseLease();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        _events.Dispose();
        _exporter.Dispose();
        _metrics.Dispose();
        _edge.Dispose();
        _sampleClient.Dispose();
        _probeClient.Dispose();
        _store.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Takes or renews the store's lease; false while another live instance holds it.</summary>
    private static bool TryLead(SlipwayStore store, ControlPlaneOptions options)
    {
        try
        {
            return store.TryAcquireLease(options.LeaseDuration, LeaseHolder.IsGone);
        }
        catch (StoreException)
        {
            return false;
        }
    }

    /// <summary>For a restart by the reconciler: a value that no longer opens must not stop the loop; the app restarts without it.</summary>
    private static IReadOnlyDictionary<string, string> SecretsOrNone(AppSecrets secrets, string app)
    {
        try
        {
            return secrets.Values(app);
        }
        catch (SecretsUnreadableException)
        {
            return new Dictionary<string, string>();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Control plane ready on {Endpoint} (leader, fencing {Fencing})")]
        public static partial void Ready(ILogger logger, string endpoint, long fencing);

        [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Follower: {Holder} holds the store's lease; serving reads only")]
        public static partial void Follower(ILogger logger, string holder);

        [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Background loop: {Reason}")]
        public static partial void LoopFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 304, Level = LogLevel.Error, Message = "Reconcile pass cancelled after {Seconds} s (a call to the engine or the edge did not answer); the next pass starts over")]
        public static partial void PassTimedOut(ILogger logger, double seconds);

        [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "Background loop: unexpected {Type}: {Reason}; trying again at the next tick")]
        public static partial void LoopCrashed(ILogger logger, string type, string reason, Exception exception);
    }
}
