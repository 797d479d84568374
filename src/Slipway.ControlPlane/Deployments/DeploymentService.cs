using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Secrets;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Deployments;

/// <summary>
/// Accepts deploy and rollback requests, applies single flight per app (<see cref="DeploymentQueue"/>),
/// runs each deployment through the pipeline in the background, and lets callers cancel or wait.
/// Every decision is journaled through the store before it takes effect.
/// </summary>
internal sealed partial class DeploymentService(
    SlipwayStore store,
    AppCatalog specs,
    Func<DeploymentRun, CancellationToken, Task<Deployment>> runPipeline,
    string logsRoot,
    ILogger<DeploymentService> logger) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly DeploymentQueue _queue = new();
    private readonly Dictionary<string, PendingRun> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Deployment>> _completions = new(StringComparer.Ordinal);
    private readonly List<Task> _tasks = [];
    private readonly CancellationTokenSource _shutdown = new();

    /// <summary>Where each run's secret values come from (null: apps have none).</summary>
    public AppSecrets? Secrets { get; init; }

    /// <summary>Queues a deployment, or joins the one already queued or running for the same thing.</summary>
    /// <param name="key">What makes two requests the same (environment plus revision, source directory or release).</param>
    /// <param name="release">For a rollback or promotion: the release to run; the source and build phases are skipped.</param>
    /// <param name="promotion">For a promotion: what it carries over, recorded with the deployment.</param>
    public (Deployment Deployment, bool Coalesced) Request(NewDeployment request, string key, Store.Release? release = null, PromotionSource? promotion = null)
    {
        lock (_gate)
        {
            return RequestLocked(request, key, release, promotion);
        }
    }

    /// <summary>
    /// Queues a deployment that follows on from the running one (an automatic promotion), unless another deployment
    /// of the app is already waiting: that newer request would otherwise be superseded by an older release. Null then.
    /// </summary>
    public Deployment? RequestFollowUp(NewDeployment request, string key, Store.Release release, PromotionSource promotion)
    {
        lock (_gate)
        {
            return _queue.QueuedId(request.App) is null ? RequestLocked(request, key, release, promotion).Deployment : null;
        }
    }

    private (Deployment Deployment, bool Coalesced) RequestLocked(NewDeployment request, string key, Store.Release? release, PromotionSource? promotion)
    {
        Deployment? created = null;
        var decision = _queue.Enqueue(request.App, request.Env + "|" + key, () =>
        {
            created = store.CreateDeployment(request, promotion);
            return created.Id;
        });
        if (decision.Outcome == EnqueueOutcome.Coalesced)
        {
            return (store.GetDeployment(decision.Id)!, true);
        }

        _pending[created!.Id] = new PendingRun(created, release);
        if (decision.Superseded is { } superseded)
        {
            _pending.Remove(superseded);
            var ended = store.SupersedeDeployment(superseded, created.Id);
            Complete(ended);
        }

        if (decision.Outcome == EnqueueOutcome.StartNow)
        {
            StartLocked(created.Id);
        }

        return (created, false);
    }

    /// <summary>Cancels a queued or running deployment. Null if unknown; unchanged if already finished.</summary>
    public Deployment? Cancel(string id)
    {
        lock (_gate)
        {
            var deployment = store.GetDeployment(id);
            if (deployment is null || deployment.IsTerminal)
            {
                return deployment;
            }

            if (_queue.RemoveQueued(deployment.App, id))
            {
                _pending.Remove(id);
                var ended = store.FinishDeployment(id, DeploymentStatus.Cancelled, null, "cancelled while queued", 0);
                Complete(ended);
                return ended;
            }

            if (_running.TryGetValue(id, out var cts))
            {
                cts.Cancel();
            }

            return store.GetDeployment(id);
        }
    }

    /// <summary>The deployment running or waiting for <paramref name="app"/>, if any.</summary>
    public string? ActiveDeployment(string app)
    {
        lock (_gate)
        {
            return _queue.RunningId(app) ?? _queue.QueuedId(app);
        }
    }

    /// <summary>Deployments something waits for or that have not ended; no entry outlives its deployment's end.</summary>
    internal int TrackedCompletions => _completions.Count;

    /// <summary>Completes when the deployment reaches a terminal status.</summary>
    public async Task<Deployment> WaitAsync(string id, CancellationToken cancellationToken)
    {
        // An ended deployment is answered from the store, without an entry that nothing would complete or remove.
        if (store.GetDeployment(id) is { IsTerminal: true } ended)
        {
            return ended;
        }

        var completion = _completions.GetOrAdd(id, _ => new TaskCompletionSource<Deployment>(TaskCreationOptions.RunContinuationsAsynchronously));
        // Read again: it may have ended between the first read and the entry.
        if (store.GetDeployment(id) is { IsTerminal: true } done)
        {
            // It ended before this wait began, and its completion went with it: the one just added would stay forever.
            _completions.TryRemove(new KeyValuePair<string, TaskCompletionSource<Deployment>>(id, completion));
            return done;
        }

        try
        {
            return await completion.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!completion.Task.IsCompleted && store.GetDeployment(id) is null)
        {
            // A wait for a deployment that does not exist, given up: nothing will ever complete its entry.
            _completions.TryRemove(new KeyValuePair<string, TaskCompletionSource<Deployment>>(id, completion));
            throw;
        }
    }

    private void StartLocked(string id)
    {
        var pending = _pending[id];
        _pending.Remove(id);
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        _running[id] = cts;
        _tasks.RemoveAll(t => t.IsCompleted);
        _tasks.Add(Task.Run(() => RunAsync(pending, cts)));
    }

    private async Task RunAsync(PendingRun pending, CancellationTokenSource cts)
    {
        var deployment = pending.Deployment;
        Deployment ended;
        try
        {
            var spec = LoadSpec(deployment.App);
            // Read once per run: a secret set during a deploy applies from the next one, and this run's redactor
            // knows every value the run can inject.
            var secrets = Secrets?.Values(deployment.App) ?? new Dictionary<string, string>();
            using var log = DeployLog.ForDeployment(logsRoot, deployment.Id, Redactor.ForSecrets(secrets.Values), onLine: line =>
                store.AppendEvent(EventTypes.DeployLog, deployment.App, deployment.Env, deployment.Id, new { line }));
            var run = new DeploymentRun(deployment, spec, log) { Release = pending.Release, Secrets = secrets };
            ended = await runPipeline(run, cts.Token);
        }
        catch (SecretsUnreadableException e)
        {
            ended = store.FinishDeployment(deployment.Id, DeploymentStatus.Failed, 1, "secrets: " + e.Message, 0);
        }
        catch (Exception e)
        {
            Log.RunFailed(logger, deployment.Id, e);
            ended = store.GetDeployment(deployment.Id) is { IsTerminal: true } finished
                ? finished
                : store.FinishDeployment(deployment.Id, DeploymentStatus.Failed, 1, $"internal error: {e.Message}", 0);
        }

        lock (_gate)
        {
            _running.Remove(deployment.Id);
            cts.Dispose();
            Complete(ended);
            if (_queue.Complete(deployment.App, deployment.Id) is { } next && _pending.ContainsKey(next))
            {
                StartLocked(next);
            }
        }
    }

    private AppSpec LoadSpec(string app)
    {
        var record = store.GetApp(app) ?? throw new DeployFailedException(DeploymentPhase.Source, $"app '{app}' is not registered", 2);
        return specs.Of(record);
    }

    /// <summary>Raised once per deployment when it reaches a terminal status.</summary>
    public event Action<Deployment>? Ended;

    private void Complete(Deployment deployment)
    {
        // Once per deployment (superseded, cancelled while queued, or its run ended), after the store says it ended:
        // waiters already hold the task, later ones read the store, so the entry goes (the map holds only unfinished ones).
        var completion = _completions.GetOrAdd(deployment.Id, _ => new TaskCompletionSource<Deployment>(TaskCreationOptions.RunContinuationsAsynchronously));
        _completions.TryRemove(new KeyValuePair<string, TaskCompletionSource<Deployment>>(deployment.Id, completion));
        if (completion.TrySetResult(deployment))
        {
            Ended?.Invoke(deployment);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync();
        Task[] tasks;
        lock (_gate)
        {
            tasks = [.. _tasks];
        }

        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _shutdown.Dispose();
    }

    private sealed record PendingRun(Deployment Deployment, Store.Release? Release);

    private static partial class Log
    {
        [LoggerMessage(EventId = 110, Level = LogLevel.Error, Message = "Deployment {Id} ended with an unexpected error")]
        public static partial void RunFailed(ILogger logger, string id, Exception exception);
    }
}
