using Slipway.Edge.Control.Contracts;

namespace Slipway.Edge.Control;

/// <summary>What the control API needs besides the registry and the supervisor.</summary>
internal sealed record ControlApiOptions
{
    /// <summary>Working directory of a process whose definition gives none.</summary>
    public required string DefaultWorkingDirectory { get; init; }

    public required string Version { get; init; }

    /// <summary><c>POST /upgrade</c>; null where the edge cannot hand itself over (the route answers 404).</summary>
    /// <summary>The <c>/certificates</c> routes; null answers 404.</summary>
    public CertificateControl? Certificates { get; init; }

    public Func<UpgradeRequest, CancellationToken, Task<UpgradeResult>>? Upgrade { get; init; }
}
