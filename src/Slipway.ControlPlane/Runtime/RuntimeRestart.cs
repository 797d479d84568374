using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Runtime;

/// <summary>What a runtime needs to start a current generation again (the reconciler's restart).</summary>
internal sealed record RuntimeRestart
{
    public required AppSpec Spec { get; init; }

    public required Generation Generation { get; init; }

    public required string InstanceId { get; init; }

    public required int Port { get; init; }

    /// <summary>The generation's release, or null when the ledger no longer has it.</summary>
    public Store.Release? Release { get; init; }

    /// <summary>The app's secrets as they are now: a runtime that does not keep them gets them again.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();
}
