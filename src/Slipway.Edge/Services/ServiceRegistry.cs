using Microsoft.Extensions.Logging;
using Slipway.Edge.Control.Contracts;

namespace Slipway.Edge.Services;

/// <summary>
/// The edge's services: definitions, target sets, pause/maintenance state. Writers replace immutable
/// snapshots; the request path only reads them. Surface agreed between the data-plane work and the
/// control API / persistence work; bodies are filled in by the data-plane work.
/// </summary>
public sealed class ServiceRegistry : IAsyncDisposable
{
    public ServiceRegistry(TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        _ = timeProvider;
        _ = loggerFactory;
    }

    /// <summary>Raised after any change worth persisting (definition, targets, pause, maintenance).</summary>
    public event Action? Changed;

    /// <summary>Creates or updates a service; an update keeps the current targets.</summary>
    public ServiceStatus Upsert(string name, ServiceDefinition definition) => throw new NotImplementedException();

    /// <summary>Removes a service from routing and drains its targets. False if unknown.</summary>
    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ServiceStatus? Get(string name) => throw new NotImplementedException();

    public IReadOnlyList<ServiceStatus> List() => throw new NotImplementedException();

    /// <summary>
    /// Health-checks the new targets until healthy or the deploy timeout, swaps atomically, drains the
    /// replaced ones. Throws <see cref="KeyNotFoundException"/> for an unknown service and
    /// <see cref="TargetsNotHealthyException"/> when the new targets did not become healthy in time.
    /// </summary>
    public Task<SetTargetsResult> SetTargetsAsync(string name, SetTargetsRequest request, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ServiceStatus Pause(string name) => throw new NotImplementedException();

    public ServiceStatus Resume(string name) => throw new NotImplementedException();

    public ServiceStatus SetMaintenance(string name, MaintenanceRequest request) => throw new NotImplementedException();

    /// <summary>What persistence saves: definitions, current targets, pause and maintenance state.</summary>
    public IReadOnlyList<PersistedService> Export() => throw new NotImplementedException();

    /// <summary>Restores saved services at start-up. Targets start as unknown health and are probed at once, never assumed healthy.</summary>
    public void Restore(IEnumerable<PersistedService> services) => throw new NotImplementedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void OnChanged() => Changed?.Invoke();
}

public sealed record PersistedService
{
    public string Name { get; init; } = "";

    public ServiceDefinition Definition { get; init; } = new();

    public IReadOnlyList<TargetDefinition> Targets { get; init; } = [];

    public bool Paused { get; init; }

    public string? Maintenance { get; init; }
}

public sealed class TargetsNotHealthyException(string message, IReadOnlyList<ProbeResult> lastProbes) : Exception(message)
{
    public IReadOnlyList<ProbeResult> LastProbes { get; } = lastProbes;
}
