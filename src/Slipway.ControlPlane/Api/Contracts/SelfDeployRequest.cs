namespace Slipway.ControlPlane.Api.Contracts;

/// <summary>Body of <c>POST /api/v1/self/deploy</c>: the control plane deploys itself (docs/self-deploy.md).</summary>
public sealed record SelfDeployRequest
{
    /// <summary>A git revision (sha, branch, tag) of the control plane's configured source.</summary>
    public string? Revision { get; init; }

    /// <summary>A Slipway checkout on the server's machine to deploy from instead.</summary>
    public string? From { get; init; }

    /// <summary>A single-file Slipway release binary on the server's machine to deploy instead: nothing is built.</summary>
    public string? Binary { get; init; }

    /// <summary>Sets (and remembers) the control plane's git source: a URL or a local repository path.</summary>
    public string? Source { get; init; }

    /// <summary>The branch of <see cref="Source"/> (default <c>main</c>).</summary>
    public string? Branch { get; init; }

    /// <summary>Extra environment for this deployment's candidate only (fault injection in tests); never for later generations.</summary>
    public Dictionary<string, string>? CandidateEnv { get; init; }
}
