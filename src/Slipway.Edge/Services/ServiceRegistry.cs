using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Draining;
using Slipway.Edge.Health;
using Slipway.Edge.LoadBalancing;
using Slipway.Edge.Routing;
using Slipway.Edge.Supervision;

namespace Slipway.Edge.Services;

/// <summary>
/// The edge's services: definitions, target sets, pause/maintenance state. Writers replace immutable
/// snapshots; the request path only reads them. Surface agreed between the data-plane work and the
/// control API / persistence work.
/// </summary>
public sealed partial class ServiceRegistry : IAsyncDisposable
{
    private static readonly TimeSpan DeleteDrainTimeout = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly HealthProber _prober;
    private readonly TargetDrainer _drainer;
    private readonly Lock _writeLock = new();
    private ImmutableDictionary<string, ServiceRuntime> _services = ImmutableDictionary.Create<string, ServiceRuntime>(StringComparer.Ordinal);
    private RouteTable _routes = RouteTable.Empty;

    public ServiceRegistry(TimeProvider timeProvider, ILoggerFactory loggerFactory, PortGuard? portGuard = null)
    {
        _timeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger<ServiceRegistry>();
        _prober = new HealthProber(timeProvider, loggerFactory.CreateLogger<HealthProber>(), portGuard);
        _drainer = new TargetDrainer(timeProvider, loggerFactory.CreateLogger<TargetDrainer>());
    }

    /// <summary>Raised after any change worth persisting (definition, targets, pause, maintenance).</summary>
    public event Action? Changed;

    /// <summary>Creates or updates a service; an update keeps the current targets.</summary>
    public ServiceStatus Upsert(string name, ServiceDefinition definition)
    {
        ServiceValidation.ValidateName(name);
        ServiceValidation.Validate(definition);
        ServiceRuntime runtime;
        lock (_writeLock)
        {
            CheckRouteConflicts(name, definition);
            if (_services.TryGetValue(name, out var existing))
            {
                runtime = existing;
                runtime.Update(s => s with { Definition = definition, Policy = TargetPicker.Parse(definition.LoadBalancing) });
            }
            else
            {
                runtime = new ServiceRuntime(new ServiceSnapshot
                {
                    Name = name,
                    Definition = definition,
                    Policy = TargetPicker.Parse(definition.LoadBalancing),
                });
                Volatile.Write(ref _services, _services.SetItem(name, runtime));
            }

            RebuildRoutes();
        }

        OnChanged();
        return runtime.Snapshot.ToStatus();
    }

    /// <summary>Removes a service from routing and drains its targets. False if unknown.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        ServiceRuntime? runtime;
        lock (_writeLock)
        {
            if (!_services.TryGetValue(name, out runtime))
            {
                return false;
            }

            Volatile.Write(ref _services, _services.Remove(name));
            RebuildRoutes();
        }

        var snapshot = runtime.Update(s => s with { Active = [], Canary = [], Draining = s.Draining.AddRange(s.Routable) });
        OnChanged();
        await _drainer.DrainAsync([.. snapshot.Draining], DeleteDrainTimeout).WaitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public ServiceStatus? Get(string name) => GetRuntime(name)?.Snapshot.ToStatus();

    public IReadOnlyList<ServiceStatus> List() =>
        [.. Volatile.Read(ref _services).Values.Select(r => r.Snapshot).OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => s.ToStatus())];

    /// <summary>
    /// Health-checks the new targets until healthy or the deploy timeout, swaps atomically, drains the
    /// replaced ones. Throws <see cref="KeyNotFoundException"/> for an unknown service and
    /// <see cref="TargetsNotHealthyException"/> when the new targets did not become healthy in time.
    /// </summary>
    public async Task<SetTargetsResult> SetTargetsAsync(string name, SetTargetsRequest request, CancellationToken cancellationToken)
    {
        var runtime = GetRuntime(name) ?? throw new KeyNotFoundException($"Service '{name}' is not known to the edge.");
        ServiceValidation.Validate(request);
        var started = _timeProvider.GetTimestamp();

        List<Target> replaced;
        List<string> activated;
        await runtime.DeployLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = runtime.Snapshot;
            var canaryDefinitions = request.Canary?.Targets ?? [];
            if (IsSameSet(current.Active, request.Targets) && IsSameSet(current.Canary, canaryDefinitions)
                && (request.Canary is null || (current.CanaryWeight == request.Canary.Weight && current.CanaryCookie == request.Canary.Cookie)))
            {
                return new SetTargetsResult { SwapMs = 0, DrainMs = 0 };
            }

            var created = new List<Target>();
            var active = Resolve(runtime, current, request.Targets, "targets", created, request.RequiredPasses);
            var canary = Resolve(runtime, current, canaryDefinitions, "canary.targets", created, request.RequiredPasses);
            LogDeployStarted(_logger, name, string.Join(", ", created.Select(t => t.Id)));

            // Wait phase: the old targets keep serving while the new ones are probed.
            try
            {
                await Task.WhenAll(created.Select(t => t.BecameHealthy))
                    .WaitAsync(TimeSpan.FromMilliseconds(request.DeployTimeoutMs), _timeProvider, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                foreach (var target in created)
                {
                    target.StopProbing();
                }

                var probes = created.Select(t => t.Health.LastProbe ?? new ProbeResult { Target = t.Id, Ok = false, Error = "not probed yet" }).ToList();
                var failing = created.Where(t => t.Health.State != TargetHealth.Healthy).ToList();
                var reasons = string.Join("; ", failing.Select(t => $"{t.Id}: {t.Health.LastProbe?.Error ?? "no probe answered"}"));
                LogDeployRefused(_logger, name, request.DeployTimeoutMs, reasons);
                throw new TargetsNotHealthyException(
                    $"New targets of service '{name}' did not become healthy within {request.DeployTimeoutMs} ms ({reasons}); the previous targets keep serving.",
                    probes);
            }
            catch (OperationCanceledException)
            {
                foreach (var target in created)
                {
                    target.StopProbing();
                }

                throw;
            }

            // Swap phase: one snapshot replaces the other; requests already counted in on the replaced
            // targets finish there, later ones see the new snapshot.
            var kept = new HashSet<Target>(active.Concat(canary));
            replaced = [.. current.Routable.Where(t => !kept.Contains(t))];
            runtime.Update(s => s with
            {
                Active = [.. active],
                Canary = [.. canary],
                CanaryWeight = request.Canary?.Weight ?? 0,
                CanaryCookie = request.Canary?.Cookie ?? s.CanaryCookie,
                Draining = s.Draining.AddRange(replaced),
            });
            activated = [.. created.Select(t => t.Id)];
        }
        finally
        {
            runtime.DeployLock.Release();
        }

        var swapMs = (long)_timeProvider.GetElapsedTime(started).TotalMilliseconds;
        LogSwapped(_logger, name, string.Join(", ", activated), string.Join(", ", replaced.Select(t => t.Id)), swapMs);
        OnChanged();

        // Drain phase.
        var drain = DrainReplacedAsync(runtime, replaced, TimeSpan.FromMilliseconds(request.DrainTimeoutMs));
        if (replaced.Count == 0)
        {
            await drain.ConfigureAwait(false);
            return new SetTargetsResult { Activated = activated, SwapMs = swapMs, DrainMs = 0 };
        }

        if (!request.WaitForDrain)
        {
            return new SetTargetsResult { Activated = activated, Drained = [.. replaced.Select(t => t.Id)], SwapMs = swapMs };
        }

        var outcome = await drain.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new SetTargetsResult
        {
            Activated = activated,
            Drained = outcome.Drained,
            SwapMs = swapMs,
            DrainMs = outcome.DrainMs,
            AbortedAtDeadline = outcome.AbortedAtDeadline,
        };
    }

    public ServiceStatus Pause(string name)
    {
        var status = Required(name).Update(s => s with { Paused = true }).ToStatus();
        LogPaused(_logger, name);
        OnChanged();
        return status;
    }

    public ServiceStatus Resume(string name)
    {
        var status = Required(name).Update(s => s with { Paused = false }).ToStatus();
        LogResumed(_logger, name);
        OnChanged();
        return status;
    }

    public ServiceStatus SetMaintenance(string name, MaintenanceRequest request)
    {
        var message = request.Enabled
            ? (string.IsNullOrWhiteSpace(request.Message) ? new MaintenanceRequest().Message : request.Message)
            : null;
        var status = Required(name).Update(s => s with { Maintenance = message }).ToStatus();
        OnChanged();
        return status;
    }

    /// <summary>Every target's figures with its service and role, for the metrics.</summary>
    public IEnumerable<TargetFigures> TargetFigures() =>
        Volatile.Read(ref _services).Values.Select(r => r.Snapshot).SelectMany(s =>
            s.Active.Select(t => new TargetFigures(s.Name, t.Id, "active", t.Stats.Snapshot()))
                .Concat(s.Canary.Select(t => new TargetFigures(s.Name, t.Id, "canary", t.Stats.Snapshot())))
                .Concat(s.Draining.Select(t => new TargetFigures(s.Name, t.Id, "draining", t.Stats.Snapshot()))));

    /// <summary>What persistence saves: definitions, current and canary targets, pause and maintenance state.</summary>
    public IReadOnlyList<PersistedService> Export() =>
        [.. Volatile.Read(ref _services).Values.Select(r => r.Snapshot).OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => new PersistedService
        {
            Name = s.Name,
            Definition = s.Definition,
            Targets = [.. s.Active.Select(t => t.ToDefinition())],
            Canary = s.Canary.IsEmpty ? null : new CanaryDefinition
            {
                Targets = [.. s.Canary.Select(t => t.ToDefinition())],
                Weight = s.CanaryWeight,
                Cookie = s.CanaryCookie,
            },
            Paused = s.Paused,
            Maintenance = s.Maintenance,
        })];

    /// <summary>Restores saved services at start-up. Targets start as unknown health and are probed at once, never assumed healthy.</summary>
    public void Restore(IEnumerable<PersistedService> services)
    {
        lock (_writeLock)
        {
            foreach (var saved in services)
            {
                ServiceValidation.ValidateName(saved.Name);
                ServiceValidation.Validate(saved.Definition);
                var runtime = new ServiceRuntime(new ServiceSnapshot
                {
                    Name = saved.Name,
                    Definition = saved.Definition,
                    Policy = TargetPicker.Parse(saved.Definition.LoadBalancing),
                    Paused = saved.Paused,
                    Maintenance = saved.Maintenance,
                });
                var targets = new List<Target>();
                for (var i = 0; i < saved.Targets.Count; i++)
                {
                    targets.Add(CreateTarget(runtime, saved.Targets[i], $"targets[{i}].url"));
                }

                var canary = new List<Target>();
                var canaryTargets = saved.Canary?.Targets ?? [];
                for (var i = 0; i < canaryTargets.Count; i++)
                {
                    canary.Add(CreateTarget(runtime, canaryTargets[i], $"canary.targets[{i}].url"));
                }

                runtime.Update(s => s with
                {
                    Active = [.. targets],
                    Canary = [.. canary],
                    CanaryWeight = canary.Count > 0 ? saved.Canary!.Weight : 0,
                    CanaryCookie = saved.Canary?.Cookie ?? s.CanaryCookie,
                });
                Volatile.Write(ref _services, _services.SetItem(saved.Name, runtime));
            }

            RebuildRoutes();
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var snapshot in Volatile.Read(ref _services).Values.Select(r => r.Snapshot))
        {
            foreach (var target in snapshot.Routable.Concat(snapshot.Draining))
            {
                target.StopProbing();
            }
        }

        _prober.Dispose();
        return ValueTask.CompletedTask;
    }

    internal ServiceRuntime? GetRuntime(string name) =>
        Volatile.Read(ref _services).TryGetValue(name, out var runtime) ? runtime : null;

    /// <summary>The service for a request's host and path, or null when no route matches.</summary>
    internal ServiceRuntime? Resolve(string host, string path)
    {
        var service = Volatile.Read(ref _routes).Match(host, path);
        return service is null ? null : GetRuntime(service);
    }

    internal RouteTable Routes => Volatile.Read(ref _routes);

    private ServiceRuntime Required(string name) =>
        GetRuntime(name) ?? throw new KeyNotFoundException($"Service '{name}' is not known to the edge.");

    private List<Target> Resolve(ServiceRuntime runtime, ServiceSnapshot current, IReadOnlyList<TargetDefinition> definitions, string field, List<Target> created, int? requiredPasses)
    {
        var result = new List<Target>(definitions.Count);
        for (var i = 0; i < definitions.Count; i++)
        {
            var definition = definitions[i];
            var id = ServiceValidation.IdOf(definition);
            var url = ServiceValidation.ParseUrl(definition, $"{field}[{i}].url");
            var existing = current.Routable.FirstOrDefault(t => t.Id == id && t.BaseUri == url);
            if (existing is not null)
            {
                result.Add(existing);
                continue;
            }

            var target = CreateTarget(runtime, definition, $"{field}[{i}].url", requiredPasses);
            created.Add(target);
            result.Add(target);
        }

        return result;
    }

    private Target CreateTarget(ServiceRuntime runtime, TargetDefinition definition, string field, int? requiredPasses = null)
    {
        var target = new Target(ServiceValidation.IdOf(definition), ServiceValidation.ParseUrl(definition, field), requiredPasses);
        target.HealthChanged += _ => runtime.Signal();
        _prober.Start(target, () => runtime.Snapshot.Definition);
        return target;
    }

    private static bool IsSameSet(ImmutableArray<Target> current, IReadOnlyList<TargetDefinition> wanted)
    {
        if (current.Length != wanted.Count)
        {
            return false;
        }

        for (var i = 0; i < wanted.Count; i++)
        {
            var id = ServiceValidation.IdOf(wanted[i]);
            if (!Uri.TryCreate(wanted[i].Url?.Trim(), UriKind.Absolute, out var url) || !current.Any(t => t.Id == id && t.BaseUri == url))
            {
                return false;
            }
        }

        return true;
    }

    private async Task<DrainOutcome> DrainReplacedAsync(ServiceRuntime runtime, List<Target> replaced, TimeSpan deadline)
    {
        if (replaced.Count == 0)
        {
            return new DrainOutcome([], 0, 0);
        }

        try
        {
            return await _drainer.DrainAsync(replaced, deadline).ConfigureAwait(false);
        }
        finally
        {
            var gone = replaced.ToHashSet();
            runtime.Update(s => s with { Draining = [.. s.Draining.Where(t => !gone.Contains(t))] });
        }
    }

    private void CheckRouteConflicts(string name, ServiceDefinition definition)
    {
        var mine = definition.Routes.Select(r => RouteEntry.Create(r.Host, r.Path, name)).ToList();
        foreach (var other in _routes.Entries.Where(e => e.Service != name))
        {
            var clash = mine.FindIndex(e => e.Host == other.Host && string.Equals(e.PathPrefix, other.PathPrefix, StringComparison.OrdinalIgnoreCase));
            if (clash >= 0)
            {
                throw new ArgumentException(
                    $"Route {other.Host}{other.PathPrefix} is already served by service '{other.Service}'; remove it there first.", $"routes[{clash}]");
            }
        }
    }

    private void RebuildRoutes()
    {
        var entries = _services.Values
            .Select(r => r.Snapshot)
            .SelectMany(s => s.Definition.Routes.Select(r => RouteEntry.Create(r.Host, r.Path, s.Name)));
        Volatile.Write(ref _routes, new RouteTable(entries));
    }

    private void OnChanged() => Changed?.Invoke();

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Service {Service}: probing new targets {Targets}")]
    private static partial void LogDeployStarted(ILogger logger, string service, string targets);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Service {Service}: swap refused, new targets not healthy within {TimeoutMs} ms: {Reasons}")]
    private static partial void LogDeployRefused(ILogger logger, string service, int timeoutMs, string reasons);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Service {Service}: swapped in {Activated}, draining {Replaced} ({SwapMs} ms)")]
    private static partial void LogSwapped(ILogger logger, string service, string activated, string replaced, long swapMs);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Service {Service} paused")]
    private static partial void LogPaused(ILogger logger, string service);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "Service {Service} resumed")]
    private static partial void LogResumed(ILogger logger, string service);
}

public sealed record PersistedService
{
    public string Name { get; init; } = "";

    public ServiceDefinition Definition { get; init; } = new();

    public IReadOnlyList<TargetDefinition> Targets { get; init; } = [];

    /// <summary>A canary split in place when the state was saved; null when there was none.</summary>
    public CanaryDefinition? Canary { get; init; }

    public bool Paused { get; init; }

    public string? Maintenance { get; init; }
}

public sealed class TargetsNotHealthyException(string message, IReadOnlyList<ProbeResult> lastProbes) : Exception(message)
{
    public IReadOnlyList<ProbeResult> LastProbes { get; } = lastProbes;
}
