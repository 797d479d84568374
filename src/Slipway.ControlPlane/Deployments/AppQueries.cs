using Slipway.ControlPlane.Api.Contracts;
using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Runtime;
using Slipway.ControlPlane.Runtime.Docker;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Api;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control;

namespace Slipway.ControlPlane.Deployments;

/// <summary>What the admin API and the dashboard read of an app: its spec, status, releases and running rollout.</summary>
internal sealed class AppQueries(SlipwayStore store, AppCatalog specs, AppLookup lookup, IEdgeGateway edge, AppRuntimes runtimes)
{
    /// <summary>The parsed specs of the registered apps (the dashboard reads them too).</summary>
    public AppCatalog Specs => specs;

    /// <exception cref="RequestRefusedException">The app is not registered.</exception>
    public AppSpec Spec(string app) => lookup.Spec(app);

    /// <summary>The rollout running in the app (or in <paramref name="env"/>), with the edge's live figures for both sides.</summary>
    public async Task<Api.Contracts.RolloutView> RolloutAsync(string app, string? env, CancellationToken cancellationToken)
    {
        var spec = lookup.Spec(app);
        var environments = env is null ? spec.Environments : [AppLookup.Environment(spec, env)];
        var rollout = environments.Select(e => store.GetOpenRollout(app, e)).FirstOrDefault(r => r is not null)
            ?? throw RequestRefusedException.NotFound($"No rollout of {app} is running; `slipway status {app}` and the deployment's `rollout` show past ones.");
        var view = Views.Of(rollout);
        var status = await edge.GetServiceAsync(ServiceNames.For(app, rollout.Env), cancellationToken);
        if (status is null)
        {
            return view;
        }

        var targets = status.Canary.Select(t => (Role: "canary", Target: t)).Concat(status.Targets.Select(t => (Role: "stable", Target: t)))
            .Select(x => new Api.Contracts.RolloutTargetView
            {
                Id = x.Target.Id, Role = x.Role, Health = x.Target.Health, Requests = x.Target.Stats?.Requests ?? 0,
                Status5xx = x.Target.Stats?.Status5xx ?? 0, TransportErrors = x.Target.Stats?.TransportErrors ?? 0, P99Ms = x.Target.Stats?.P99Ms,
            }).ToList();
        return view with { Targets = targets };
    }

    public async Task<AppView> ViewAsync(AppRecord record, CancellationToken cancellationToken)
    {
        // Null for a spec stored by an older version that this one rejects: the app is still listed.
        var spec = specs.TryOf(record);

        var environments = new List<EnvironmentView>();
        foreach (var env in spec?.Environments ?? ["prod"])
        {
            var pointers = store.GetPointers(record.Name, env);
            var current = lookup.CurrentGeneration(pointers);
            var release = current is null ? null : store.GetRelease(current.ReleaseId);
            ProcessStatusView? process = null;
            string? health = null;
            if (current?.ProcessId is { } processId)
            {
                try
                {
                    var status = await runtimes.ForInstance(processId).GetStateAsync(processId, cancellationToken);
                    process = status is null ? null : new ProcessStatusView(status.StateText, status.Restarts);
                    var service = await edge.GetServiceAsync(ServiceNames.For(record.Name, env), cancellationToken);
                    health = service?.Targets.FirstOrDefault(t => t.Id == processId)?.Health is { } h ? WireName.Of(h) : null;
                }
                catch (EdgeUnavailableException)
                {
                    health = "edge unreachable";
                }
                catch (DockerUnavailableException)
                {
                    health = "docker engine unreachable";
                }
                catch (DockerEngineErrorException e)
                {
                    health = $"docker engine error {(int)e.Status}";
                }
            }

            environments.Add(new EnvironmentView
            {
                Env = env,
                CurrentGeneration = pointers.Current is { } cg ? (int)cg : null,
                PreviousGeneration = pointers.Previous is { } pg ? (int)pg : null,
                Release = release?.Id,
                Revision = release?.Revision,
                Digest = release?.Digest,
                Port = current?.Port,
                ProcessState = process?.State,
                Restarts = process?.Restarts,
                Health = health,
            });
        }

        return new AppView
        {
            Name = record.Name,
            Runtime = (spec?.Runtime ?? RuntimeKind.Process).Name,
            // One environment: its routes as before; several: each route says whose it is.
            Routes = spec is null ? []
                : spec.Environments.Count == 1 ? spec.RoutesFor(spec.Environments[0]).Select(r => r.Host + r.Path).ToList()
                : spec.Environments.SelectMany(e => spec.RoutesFor(e).Select(r => $"{r.Host}{r.Path} ({e})")).ToList(),
            Environments = environments,
            UpdatedAt = record.UpdatedAt,
        };
    }

    public IReadOnlyList<ReleaseView> Releases(string app)
    {
        var spec = lookup.Spec(app);
        var outcomes = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var env in spec.Environments)
        {
            var pointers = store.GetPointers(app, env);
            foreach (var generation in store.ListGenerations(app, env).OrderBy(g => g.Number))
            {
                var outcome = generation.Number == pointers.Current ? "current"
                    : generation.Number == pointers.Previous ? "previous"
                    : StoreNames.ToText(generation.State);
                if (!outcomes.TryGetValue(generation.ReleaseId, out var perEnv))
                {
                    outcomes[generation.ReleaseId] = perEnv = new Dictionary<string, string>(StringComparer.Ordinal);
                }

                perEnv[env] = outcome;
            }
        }

        var migrations = store.ListMigrations(app);
        return store.ListReleases(app)
            .Select(r => Views.Of(r, outcomes.TryGetValue(r.Id, out var e) ? e : new Dictionary<string, string>(), migrations.GetValueOrDefault(r.Id)))
            .ToList();
    }

    private sealed record ProcessStatusView(string State, int Restarts);
}
