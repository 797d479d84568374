using System.Collections.Concurrent;
using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Runtime;
using Slipway.ControlPlane.Runtime.Docker;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Deployments;

/// <summary>
/// Replaced generations that stay running, out of routing, for their app's rollback window, so that a
/// rollback is a route swap. At most one warm generation per (app, env): the newest previous one.
/// Deadlines live in memory; after a control-plane restart a warm generation gets a fresh window, which
/// errs on the side of keeping a rollback instant.
/// </summary>
internal sealed class WarmGenerations(AppRuntimes runtimes, SlipwayStore store, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string App, string Env, long Number), DateTimeOffset> _until = new();

    public void Keep(string app, string env, long number, DateTimeOffset until) => _until[(app, env, number)] = until;

    public void Forget(string app, string env, long number) => _until.TryRemove((app, env, number), out _);

    /// <summary>
    /// As <see cref="StopOthersAsync"/>, without holding up the deployment that made them redundant. A stop that
    /// fails leaves the generation warm until its window ends, when the expiry loop stops it.
    /// </summary>
    public void StopOthersInBackground(string app, string env, long keep) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await StopOthersAsync(app, env, keep, CancellationToken.None);
            }
            catch (Exception e) when (e is EdgeUnavailableException or DockerException or StoreException)
            {
                // Retried by ExpireAsync when the window ends.
            }
        });

    /// <summary>Stops every warm generation of (app, env) except <paramref name="keep"/> and the current one.</summary>
    public async Task StopOthersAsync(string app, string env, long keep, CancellationToken cancellationToken)
    {
        var current = store.GetPointers(app, env).Current;
        foreach (var generation in store.ListGenerations(app, env))
        {
            if (generation.State == GenerationState.Warm && generation.Number != keep && generation.Number != current)
            {
                await StopAsync(app, env, generation.Number, TimeSpan.FromSeconds(10), cancellationToken);
            }
        }
    }

    public async Task StopAsync(string app, string env, long number, TimeSpan grace, CancellationToken cancellationToken)
    {
        Forget(app, env, number);
        var generation = store.GetGeneration(app, env, number);
        if (generation is null || generation.State is GenerationState.Stopped or GenerationState.Failed)
        {
            return;
        }

        var id = generation.ProcessId ?? Candidate.ProcessIdFor(app, env, (int)number);
        await runtimes.ForInstance(id).StopAsync(id, grace, cancellationToken);
        store.SetGenerationState(app, env, number, GenerationState.Stopped);
    }

    /// <summary>Stops warm generations whose window has ended. Called by the control plane's background loop.</summary>
    public async Task ExpireAsync(Func<string, TimeSpan?> rollbackWindowOf, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var generation in store.ListLiveGenerations())
        {
            if (generation.State != GenerationState.Warm)
            {
                continue;
            }

            var key = (generation.App, generation.Env, generation.Number);
            if (!_until.TryGetValue(key, out var until))
            {
                until = now + (rollbackWindowOf(generation.App) ?? TimeSpan.Zero);
                _until[key] = until;
            }

            if (until <= now)
            {
                await StopAsync(generation.App, generation.Env, generation.Number, TimeSpan.FromSeconds(10), cancellationToken);
            }
        }
    }
}
