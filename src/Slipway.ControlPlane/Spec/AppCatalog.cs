using System.Collections.Concurrent;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Spec;

/// <summary>
/// The parsed spec of every registered app, parsed once per stored version of it instead of at every use (each
/// reconcile tick, recovery, every deployment and page). <see cref="AppSpec"/> is immutable, so one instance is shared.
/// </summary>
internal sealed class AppCatalog(SlipwayStore store)
{
    // One entry per app name, replaced when the stored text changes; the text itself is the version, so a spec
    // registered twice within one timestamp tick is still parsed again.
    private readonly ConcurrentDictionary<string, Parsed> _parsed = new(StringComparer.Ordinal);

    /// <returns>The app's spec, or null when no app of that name is registered.</returns>
    /// <exception cref="SpecException">The stored spec does not parse (any more).</exception>
    public AppSpec? Find(string app) => store.GetApp(app) is { } record ? Of(record) : null;

    /// <returns>The app's spec, or null when it is not registered or its stored spec does not parse.</returns>
    public AppSpec? TryFind(string app) => store.GetApp(app) is { } record ? TryOf(record) : null;

    /// <exception cref="SpecException">The stored spec does not parse (any more).</exception>
    public AppSpec Of(AppRecord record)
    {
        var parsed = Lookup(record);
        return parsed.Spec ?? throw parsed.Error!;
    }

    /// <returns>The spec of <paramref name="record"/>, or null when it does not parse.</returns>
    public AppSpec? TryOf(AppRecord record) => Lookup(record).Spec;

    /// <summary>Drops what was parsed for <paramref name="app"/> (it was removed).</summary>
    public void Forget(string app) => _parsed.TryRemove(app, out _);

    private Parsed Lookup(AppRecord record)
    {
        if (_parsed.TryGetValue(record.Name, out var cached) && cached.Text == record.SpecYaml)
        {
            return cached;
        }

        Parsed parsed;
        try
        {
            parsed = new Parsed(record.SpecYaml, AppSpecParser.Parse(record.SpecYaml, $"{record.Name}/slipway.yml"), null);
        }
        catch (SpecException e)
        {
            parsed = new Parsed(record.SpecYaml, null, e);
        }

        _parsed[record.Name] = parsed;
        return parsed;
    }

    private sealed record Parsed(string Text, AppSpec? Spec, SpecException? Error);
}
