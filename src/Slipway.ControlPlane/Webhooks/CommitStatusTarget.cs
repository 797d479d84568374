namespace Slipway.ControlPlane.Webhooks;

/// <summary>
/// Where deployment outcomes of one forge are reported as commit statuses: the forge's API root
/// (<c>https://api.github.com</c>, <c>https://forge.example/api/v1</c>) and a token allowed to set statuses.
/// </summary>
internal sealed record CommitStatusTarget(Uri ApiUrl, string Token)
{
    /// <summary>
    /// Targets from <c>SLIPWAY_&lt;FORGE&gt;_API_URL</c> and <c>SLIPWAY_&lt;FORGE&gt;_TOKEN</c> (FORGE = FORGEJO, GITEA,
    /// GITHUB); a forge without both is not reported to.
    /// </summary>
    public static IReadOnlyDictionary<string, CommitStatusTarget> FromEnvironment(Func<string, string?> read)
    {
        var targets = new Dictionary<string, CommitStatusTarget>(StringComparer.Ordinal);
        foreach (var forge in new[] { "forgejo", "gitea", "github" })
        {
            var prefix = "SLIPWAY_" + forge.ToUpperInvariant();
            if (read(prefix + "_API_URL") is { Length: > 0 } url && read(prefix + "_TOKEN") is { Length: > 0 } token
                && Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var api))
            {
                targets[forge] = new CommitStatusTarget(api, token);
            }
        }

        return targets;
    }

    // The token is a credential: never part of a log line through a record's generated ToString.
    public override string ToString() => $"CommitStatusTarget {{ ApiUrl = {ApiUrl}, Token = *** }}";
}
