using Slipway.ControlPlane.Spec;

namespace Slipway.ControlPlane.Runtime;

/// <summary>Everything a runtime needs to start one generation of a release.</summary>
internal sealed record RuntimeStart
{
    public required AppSpec Spec { get; init; }

    public required string Env { get; init; }

    public required long Generation { get; init; }

    public required Store.Release Release { get; init; }

    /// <summary>The 127.0.0.1 port the generation must answer on.</summary>
    public required int Port { get; init; }

    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>The app's secrets: kept apart from <see cref="Environment"/> so a runtime can keep them out of its records.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();

    /// <summary>The deployment's log, for what the runtime did that the user should see.</summary>
    public Action<string> Log { get; init; } = _ => { };
}
