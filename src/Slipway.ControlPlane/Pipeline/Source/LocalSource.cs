using Slipway.ControlPlane.IO;
using Slipway.ControlPlane.Pipeline.Release;
using Slipway.ControlPlane.Processes;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Pipeline.Source;

/// <summary>
/// The source phase for <c>--from DIR</c>: copies the app's files into the workspace and names the revision.
/// Inside a git work tree only what git would commit is copied (tracked plus untracked-but-not-ignored files
/// under DIR), so build outputs and secrets listed in <c>.gitignore</c> stay out of the release.
/// </summary>
internal sealed class LocalSource
{
    private readonly ProcessGroupRunner _runner;
    private readonly TimeSpan _gitTimeout;

    public LocalSource(ProcessGroupRunner runner, TimeSpan gitTimeout)
    {
        _runner = runner;
        _gitTimeout = gitTimeout;
    }

    public LocalSource(ProcessGroupRunner runner)
        : this(runner, TimeSpan.FromMinutes(1))
    {
    }

    /// <param name="excludedDirectories">
    /// Absolute directories never copied even when inside the source (e.g. <c>SLIPWAY_HOME</c> when it lives in
    /// the app's directory); the workspace itself is always excluded.
    /// </param>
    public async Task<SourceResult> CopyAsync(
        string sourceDirectory,
        string workspace,
        DeployLog log,
        CancellationToken cancellationToken,
        IReadOnlyCollection<string>? excludedDirectories = null)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(sourceDirectory));
        if (!Directory.Exists(root))
        {
            throw new DeployFailedException(
                DeploymentPhase.Source,
                $"the --from directory '{sourceDirectory}' does not exist or is not a directory; "
                + "pass the directory that holds your app's slipway.yml",
                null);
        }

        Directory.CreateDirectory(workspace);
        var excluded = (excludedDirectories ?? [])
            .Append(workspace)
            .Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)))
            .ToList();
        bool IsExcluded(string relative)
        {
            var full = Path.Combine(root, relative);
            return excluded.Exists(d => full == d || full.StartsWith(d + "/", StringComparison.Ordinal));
        }

        if (await IsGitWorkTreeAsync(root, log, cancellationToken).ConfigureAwait(false))
        {
            return await CopyFromGitAsync(root, workspace, IsExcluded, log, cancellationToken).ConfigureAwait(false);
        }

        log.Append($"copying {root} (not a git work tree: every file except .git)");
        var count = 0;
        var entries = FileTree.Walk(root, e => Path.GetFileName(e.RelativePath) == ".git" || IsExcluded(e.RelativePath));
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            count += CopyEntry(root, entry.RelativePath, workspace, log) ? 1 : 0;
        }

        var digest = ReleaseDigest.Compute(workspace);
        var revision = "local-" + ReleaseDigest.Hex(digest)[..12];
        log.Append($"copied {count} entries; revision {revision}");
        return new SourceResult(revision, Dirty: false, Ref: null, SourceKind.LocalDirectory);
    }

    private async Task<SourceResult> CopyFromGitAsync(
        string root, string workspace, Func<string, bool> isExcluded, DeployLog log, CancellationToken cancellationToken)
    {
        var listing = await GitAsync(
            root, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], log, cancellationToken)
            .ConfigureAwait(false);
        var paths = listing.Output!.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Distinct(StringComparer.Ordinal)
            .Where(p => !isExcluded(p))
            .Order(StringComparer.Ordinal)
            .ToList();

        log.Append($"copying {root} (git work tree: {paths.Count} tracked and untracked, not ignored files)");
        var count = 0;
        foreach (var relative in paths)
        {
            cancellationToken.ThrowIfCancellationRequested();
            count += CopyEntry(root, relative, workspace, log) ? 1 : 0;
        }

        var head = await TryGitAsync(root, ["rev-parse", "--verify", "-q", "HEAD"], cancellationToken)
            .ConfigureAwait(false);
        var branch = await TryGitAsync(root, ["symbolic-ref", "--short", "-q", "HEAD"], cancellationToken)
            .ConfigureAwait(false);
        var status = await GitAsync(root, ["status", "--porcelain", "-z", "--", "."], log, cancellationToken)
            .ConfigureAwait(false);
        var dirty = status.Output!.Length > 0;

        string revision;
        if (head is null)
        {
            // A repository without commits has no revision to name; fall back to the content digest.
            revision = "local-" + ReleaseDigest.Hex(ReleaseDigest.Compute(workspace))[..12];
            dirty = true;
        }
        else
        {
            revision = head;
        }

        log.Append($"copied {count} files; revision {revision}{(dirty ? " (dirty)" : string.Empty)}"
            + (branch is null ? string.Empty : $" on {branch}"));
        return new SourceResult(revision, dirty, branch, SourceKind.LocalGit);
    }

    /// <returns>True when something was copied.</returns>
    private static bool CopyEntry(string root, string relative, string workspace, DeployLog log)
    {
        var source = Path.Combine(root, relative);
        var target = Path.Combine(workspace, relative);
        RequireRealParents(root, relative);
        switch (FileTree.KindAt(source))
        {
            case null:
                // Tracked but deleted in the work tree: the release matches the work tree.
                return false;
            case TreeEntryKind.Directory:
                if (Directory.Exists(target))
                {
                    return false;
                }

                // git lists nested repositories and submodules as directories; their content is not ours.
                if (Directory.Exists(Path.Combine(source, ".git")) || File.Exists(Path.Combine(source, ".git")))
                {
                    log.Append($"skipping nested repository '{relative}'");
                    return false;
                }

                Directory.CreateDirectory(target);
                UnixPermissions.Set(target, UnixPermissions.Private(UnixPermissions.Get(source) | UnixFileMode.UserWrite));
                return true;
            case TreeEntryKind.Symlink:
                var linkTarget = new FileInfo(source).LinkTarget!;
                EnsureInsideTree(root, relative, source, linkTarget);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.CreateSymbolicLink(target, linkTarget);
                return true;
            case TreeEntryKind.File:
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target, overwrite: false);
                UnixPermissions.Set(target, UnixPermissions.Private(UnixPermissions.Get(source) | UnixFileMode.UserWrite));
                return true;
            default:
                log.Append($"skipping '{relative}': not a regular file, directory or symlink");
                return false;
        }
    }

    /// <summary>
    /// git still lists <c>a/x</c> after <c>a</c> was replaced by a link; copying it would read through the link,
    /// wherever it points.
    /// </summary>
    private static void RequireRealParents(string root, string relative)
    {
        var parent = root;
        foreach (var part in relative.Split('/')[..^1])
        {
            parent = Path.Combine(parent, part);
            if (FileTree.KindAt(parent) is TreeEntryKind.Symlink)
            {
                throw new DeployFailedException(
                    DeploymentPhase.Source,
                    $"'{relative}' is reached through the symlink '{Path.GetRelativePath(root, parent)}'; a release must be "
                    + "self-contained, so replace the link with the directory itself or remove it",
                    null);
            }
        }
    }

    private static void EnsureInsideTree(string root, string relative, string linkPath, string linkTarget)
    {
        // Lexical check: every link in the tree is checked the same way, so a chain of links stays inside too.
        var resolved = Path.IsPathRooted(linkTarget)
            ? null
            : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(linkPath)!, linkTarget));
        var inside = resolved is not null
            && (resolved == root || resolved.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        if (!inside)
        {
            throw new DeployFailedException(
                DeploymentPhase.Source,
                $"symlink '{relative}' points to '{linkTarget}', outside the source directory; a release must be "
                + "self-contained, so make it a relative link to a file inside the tree or remove it",
                null);
        }
    }

    private async Task<bool> IsGitWorkTreeAsync(string root, DeployLog log, CancellationToken cancellationToken)
    {
        string[] args = ["rev-parse", "--is-inside-work-tree"];
        var result = await RunGitAsync(root, args, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            return result.Output!.Trim() == "true";
        }

        if (!result.Cancelled && !result.TimedOut && result.ExitCode == 127)
        {
            // No git binary. Without git we cannot tell ignored files (build outputs, secrets) from sources, so
            // only a directory that is plainly not a repository may fall back to a whole-tree copy.
            if (HasGitAncestor(root))
            {
                throw new DeployFailedException(
                    DeploymentPhase.Source,
                    $"'{root}' is inside a git repository but git is not installed; install git so that only the "
                    + "files git would commit are deployed",
                    null);
            }

            log.Append("git is not installed; copying the directory as plain files");
            return false;
        }

        if (result.LastLines.Any(l => l.Contains("not a git repository", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        throw Failure(args, result, log);
    }

    private static bool HasGitAncestor(string root)
    {
        for (var dir = new DirectoryInfo(root); dir is not null; dir = dir.Parent)
        {
            if (Path.Exists(Path.Combine(dir.FullName, ".git")))
            {
                return true;
            }
        }

        return false;
    }

    private async Task<ProcessResult> GitAsync(
        string root, string[] args, DeployLog log, CancellationToken cancellationToken)
    {
        var result = await RunGitAsync(root, args, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result : throw Failure(args, result, log);
    }

    private async Task<string?> TryGitAsync(string root, string[] args, CancellationToken cancellationToken)
    {
        var result = await RunGitAsync(root, args, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var output = result.Output?.Trim();
        return result.Succeeded && !string.IsNullOrEmpty(output) ? output : null;
    }

    private async Task<ProcessResult> RunGitAsync(string root, string[] args, CancellationToken cancellationToken)
    {
        var request = new ProcessRequest
        {
            Argv = ["git", .. args],
            WorkingDirectory = root,
            Timeout = _gitTimeout,
            CaptureStdout = true,
            // Untranslated messages (we look for "not a git repository"), and never an interactive prompt.
            Environment = new Dictionary<string, string> { ["LC_ALL"] = "C", ["GIT_TERMINAL_PROMPT"] = "0" },
        };
        return await _runner.RunAsync(request, onLine: null, cancellationToken).ConfigureAwait(false);
    }

    private Exception Failure(string[] args, ProcessResult result, DeployLog log)
    {
        if (result.Cancelled)
        {
            return new OperationCanceledException("The source phase was cancelled.");
        }

        var command = "git " + string.Join(' ', args);
        var lines = result.LastLines.Select(log.Redactor.Redact).ToList();
        foreach (var line in lines)
        {
            log.Append(line);
        }

        var what = result.TimedOut
            ? $"'{command}' timed out after {Durations.Format(_gitTimeout)}"
            : $"'{command}' exited with code {result.ExitCode}";
        return new DeployFailedException(
            DeploymentPhase.Source, DeployFailedException.WithLastLines(what, lines), result.TimedOut ? null : result.ExitCode);
    }
}
