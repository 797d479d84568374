using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Pipeline.Source;

/// <summary>
/// The source phase for an app with <c>source: { git: ... }</c>: updates the app's mirror, resolves the requested
/// revision (full or short sha, branch, tag; by default the head of the source's branch) to one full commit sha,
/// and exports exactly that commit's tree into the workspace.
/// </summary>
internal sealed class GitSource(GitMirror mirror, Func<string, GitCredentials?> credentials)
{
    public async Task<SourceResult> FetchAsync(
        string app, SourceSpec source, string? revision, string workspace, DeployLog log, CancellationToken cancellationToken)
    {
        var url = source.Git ?? throw new ArgumentException("The app has no git source.", nameof(source));
        var requested = string.IsNullOrEmpty(revision) ? source.Branch : revision;
        var repository = await mirror.UpdateAsync(app, url, credentials(app), log, cancellationToken).ConfigureAwait(false);

        var sha = await mirror.ResolveAsync(repository, requested, cancellationToken).ConfigureAwait(false)
            ?? throw new DeployFailedException(
                DeploymentPhase.Source,
                revision is null
                    ? $"branch '{requested}' does not exist in {GitUrls.Redact(url)}: push it, or set source.branch to an existing branch"
                    : $"revision '{requested}' does not exist in {GitUrls.Redact(url)}: give a commit sha, branch or tag that the repository has",
                null);

        var refName = await mirror.RefNameAsync(repository, requested, cancellationToken).ConfigureAwait(false);
        if (refName is null && await mirror.ResolveAsync(repository, "refs/heads/" + source.Branch, cancellationToken).ConfigureAwait(false) == sha)
        {
            // A webhook names the pushed sha; when it is still the branch head, the release says which branch it came from.
            refName = source.Branch;
        }

        log.Append($"exporting {sha}" + (refName is null ? "" : $" ({refName})"));
        await mirror.ExportAsync(repository, sha, workspace, log, cancellationToken).ConfigureAwait(false);
        return new SourceResult(sha, Dirty: false, refName, SourceKind.Git);
    }
}
