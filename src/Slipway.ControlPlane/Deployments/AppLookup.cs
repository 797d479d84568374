using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Deployments;

/// <summary>
/// The lookups requests and queries share, each with the refusal the user sees when it finds nothing: the app's spec,
/// one of its environments, the generation current in an environment, and a release of the app that is still retained.
/// </summary>
internal sealed class AppLookup(SlipwayStore store, AppCatalog specs)
{
    /// <exception cref="RequestRefusedException">The app is not registered.</exception>
    public AppSpec Spec(string app)
    {
        var record = store.GetApp(app) ?? throw RequestRefusedException.NotFound($"App '{app}' is not registered: register it with `slipway apps add slipway.yml`.");
        return specs.Of(record);
    }

    /// <summary>The generation <paramref name="pointers"/> name current, or null when nothing is current.</summary>
    public Generation? CurrentGeneration(Pointers pointers) =>
        pointers.Current is { } number ? store.GetGeneration(pointers.App, pointers.Env, number) : null;

    public Generation? CurrentGeneration(string app, string env) => CurrentGeneration(store.GetPointers(app, env));

    /// <exception cref="RequestRefusedException">No release of that id belongs to <paramref name="app"/>.</exception>
    public Store.Release Release(string app, string id) =>
        store.GetRelease(id) is { } release && release.App == app
            ? release
            : throw RequestRefusedException.NotFound($"Release '{id}' of {app} is not known: `slipway releases {app}` lists them.");

    /// <exception cref="RequestRefusedException">The release's tree was pruned (<c>keep_releases</c>).</exception>
    public static void RequireRetained(Store.Release release)
    {
        if (!Directory.Exists(release.Path))
        {
            throw RequestRefusedException.Conflict($"Release {release.Id} is no longer retained on disk (keep_releases); deploy its revision again.");
        }
    }

    /// <summary><paramref name="env"/> when it is one of the app's environments; without one, the first.</summary>
    /// <exception cref="RequestRefusedException">The app has no such environment.</exception>
    public static string Environment(AppSpec spec, string? env)
    {
        if (env is null)
        {
            return spec.Environments[0];
        }

        return spec.Environments.Contains(env)
            ? env
            : throw RequestRefusedException.Invalid($"env: '{env}' is not one of {spec.App}'s environments ({string.Join(", ", spec.Environments)}).");
    }

    public static int IndexOf(IReadOnlyList<string> environments, string env)
    {
        for (var i = 0; i < environments.Count; i++)
        {
            if (environments[i] == env)
            {
                return i;
            }
        }

        return -1;
    }
}
