using System.Text;
using Slipway.ControlPlane.IO;
using Slipway.ControlPlane.Processes;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Pipeline.Source;

/// <summary>
/// The bare mirror of one app's repository, <c>$SLIPWAY_HOME/git/&lt;app&gt;.git</c>: cloned once with
/// <c>--mirror</c>, brought up to date with <c>fetch --prune</c> before each deploy, so every branch and tag
/// the forge has is resolvable and deleted branches disappear.
/// </summary>
/// <remarks>
/// Credentials reach git only through the environment of one git process, read back by a <c>GIT_ASKPASS</c>
/// helper that holds no secret itself; they never appear on a command line, in the mirror's config, or in output
/// (URLs with user-info and the password are masked in every line that is logged or reported).
/// </remarks>
internal sealed class GitMirror
{
    private const string AskPassScript = """
        #!/bin/sh
        case "$1" in
          Username*|username*) printf '%s\n' "$SLIPWAY_GIT_USERNAME" ;;
          *) printf '%s\n' "$SLIPWAY_GIT_PASSWORD" ;;
        esac
        """;

    private readonly ProcessGroupRunner _runner;
    private readonly string _root;
    private readonly TimeSpan _timeout;

    public GitMirror(ProcessGroupRunner runner, string root, TimeSpan timeout)
    {
        _runner = runner;
        _root = Path.GetFullPath(root);
        _timeout = timeout;
    }

    public string PathFor(string app) => Path.Combine(_root, app + ".git");

    /// <summary>Clones the mirror on first use, otherwise fetches with prune; returns the mirror's path.</summary>
    public async Task<string> UpdateAsync(
        string app, string url, GitCredentials? credentials, DeployLog log, CancellationToken cancellationToken)
    {
        var mirror = PathFor(app);
        var redactor = RedactorFor(credentials);
        var shown = GitUrls.Redact(url);
        Directory.CreateDirectory(_root);
        var askPass = credentials is null ? null : WriteAskPass();
        try
        {
            if (Directory.Exists(mirror) && File.Exists(Path.Combine(mirror, "HEAD")))
            {
                // The spec may have moved to another URL since the mirror was made.
                await RunAsync(mirror, ["remote", "set-url", "--", "origin", url], null, askPass, redactor, log, "set the mirror's URL", cancellationToken);
                log.Append($"fetching {shown}");
                await RunAsync(mirror, ["fetch", "--prune", "--quiet", "origin"], credentials, askPass, redactor, log, $"fetch from {shown}", cancellationToken);
            }
            else
            {
                log.Append($"cloning {shown} (first deploy from git: a bare mirror in {mirror})");
                var temporary = mirror + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
                try
                {
                    await RunAsync(_root, ["clone", "--mirror", "--quiet", "--", url, temporary], credentials, askPass, redactor, log, $"clone {shown}", cancellationToken);
                    FileTree.Delete(mirror);
                    Directory.Move(temporary, mirror);
                }
                finally
                {
                    FileTree.Delete(temporary);
                }
            }

            return mirror;
        }
        finally
        {
            if (askPass is not null)
            {
                FileTree.Delete(Path.GetDirectoryName(askPass)!);
            }
        }
    }

    /// <summary>
    /// What <paramref name="reference"/> (<c>refs/heads/main</c>, <c>refs/tags/v1</c>) points to in the repository at
    /// <paramref name="url"/> right now, asked of the repository itself (<c>git ls-remote</c>): the ref's object and,
    /// for an annotated tag, the commit it peels to. Empty when the ref does not exist; null when the repository
    /// cannot be asked.
    /// </summary>
    public async Task<IReadOnlyList<string>?> RemoteTipAsync(string url, string reference, GitCredentials? credentials, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_root);
        var askPass = credentials is null ? null : WriteAskPass();
        try
        {
            var result = await RunRawAsync(_root, ["ls-remote", "--", url, reference, reference + "^{}"], credentials, askPass, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                return null;
            }

            return [.. (result.Output ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split('\t'))
                .Where(parts => parts.Length == 2 && (parts[1] == reference || parts[1] == reference + "^{}"))
                .Select(parts => parts[0].Trim())];
        }
        finally
        {
            if (askPass is not null)
            {
                FileTree.Delete(Path.GetDirectoryName(askPass)!);
            }
        }
    }

    /// <summary>
    /// The full commit sha <paramref name="revision"/> names in the mirror (full or short sha, branch, tag), or
    /// null when it names no commit.
    /// </summary>
    public async Task<string?> ResolveAsync(string mirror, string revision, CancellationToken cancellationToken)
    {
        var result = await RunRawAsync(mirror, ["rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"], null, null, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var sha = result.Output?.Trim();
        return result.Succeeded && sha is { Length: 40 or 64 } ? sha : null;
    }

    /// <summary>The ref <paramref name="revision"/> names (<c>main</c>, <c>v1.2</c>), when it is a branch or a tag.</summary>
    public async Task<string?> RefNameAsync(string mirror, string revision, CancellationToken cancellationToken)
    {
        foreach (var prefix in new[] { "refs/heads/", "refs/tags/" })
        {
            var name = revision.StartsWith(prefix, StringComparison.Ordinal) ? revision[prefix.Length..] : revision;
            var result = await RunRawAsync(mirror, ["show-ref", "--verify", "--quiet", prefix + name], null, null, cancellationToken);
            if (result.Succeeded)
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>
    /// Writes exactly the tree of <paramref name="sha"/> into <paramref name="workspace"/>. The archive is unpacked by
    /// <see cref="SafeTarExtractor"/>, never by <c>tar -x</c>: a crafted tree could otherwise write through a link it
    /// planted first.
    /// </summary>
    public async Task ExportAsync(string mirror, string sha, string workspace, DeployLog log, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(workspace);
        var archive = Path.Combine(_root, ".export-" + Guid.NewGuid().ToString("N") + ".tar");
        try
        {
            var request = new ProcessRequest
            {
                Argv = ["git", "--git-dir=" + mirror, "archive", "--format=tar", "-o", archive, "--end-of-options", sha],
                WorkingDirectory = workspace,
                Timeout = _timeout,
                Environment = BaseEnvironment(),
            };
            var result = await _runner.RunAsync(request, onLine: null, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw Failure($"export {sha[..12]}", "git archive", result, Redactor.None, log);
            }

            await using var stream = File.OpenRead(archive);
            try
            {
                SafeTarExtractor.Extract(stream, workspace);
            }
            catch (InvalidDataException e)
            {
                throw new DeployFailedException(DeploymentPhase.Source, $"commit {sha[..12]} cannot be exported safely: {e.Message}", null);
            }
        }
        finally
        {
            File.Delete(archive);
        }
    }

    private async Task RunAsync(
        string directory, string[] args, GitCredentials? credentials, string? askPass, Redactor redactor, DeployLog log, string what, CancellationToken cancellationToken)
    {
        var result = await RunRawAsync(directory, args, credentials, askPass, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw Failure(what, "git " + args[0], result, redactor, log);
        }
    }

    private async Task<ProcessResult> RunRawAsync(
        string directory, string[] args, GitCredentials? credentials, string? askPass, CancellationToken cancellationToken)
    {
        var environment = BaseEnvironment();
        if (credentials is not null && askPass is not null)
        {
            environment["GIT_ASKPASS"] = askPass;
            environment["SLIPWAY_GIT_USERNAME"] = credentials.Username;
            environment["SLIPWAY_GIT_PASSWORD"] = credentials.Password;
        }

        var request = new ProcessRequest
        {
            // No credential helper of the machine's git config: the app's own secrets are the only login.
            Argv = ["git", "-c", "credential.helper=", "-c", "core.askPass=", .. AllowedProtocols, .. args],
            WorkingDirectory = directory,
            Timeout = _timeout,
            CaptureStdout = true,
            Environment = environment,
        };
        return await _runner.RunAsync(request, onLine: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Transports allowed explicitly, everything else (<c>ext::</c> runs a command, <c>fd::</c>, remote helpers)
    /// refused, whatever git's defaults or the machine's config say. <c>file</c> covers local paths; plain
    /// <c>http</c> stays allowed for forges on a private network (docs/security.md says what that exposes).
    /// </summary>
    internal static readonly string[] AllowedProtocols =
    [
        "-c", "protocol.allow=never",
        "-c", "protocol.https.allow=always",
        "-c", "protocol.http.allow=always",
        "-c", "protocol.ssh.allow=always",
        "-c", "protocol.git.allow=always",
        "-c", "protocol.file.allow=always",
    ];

    private static Dictionary<string, string> BaseEnvironment() => new(StringComparer.Ordinal)
    {
        ["LC_ALL"] = "C",
        // Never wait for a person to type a password: a missing login fails at once with a clear message.
        ["GIT_TERMINAL_PROMPT"] = "0",
        ["GIT_ASKPASS"] = "/bin/false",
        ["SSH_ASKPASS"] = "/bin/false",
        ["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes",
        ["GIT_CONFIG_NOSYSTEM"] = "1",
    };

    private static Redactor RedactorFor(GitCredentials? credentials) =>
        credentials is null ? Redactor.None : new Redactor([credentials.Password]);

    private Exception Failure(string what, string command, ProcessResult result, Redactor redactor, DeployLog log)
    {
        if (result.Cancelled)
        {
            return new OperationCanceledException("The source phase was cancelled.");
        }

        var lines = result.LastLines.Select(l => GitUrls.Redact(redactor.Redact(l))).ToList();
        foreach (var line in lines)
        {
            log.Append(line);
        }

        var reason = result.TimedOut
            ? $"could not {what}: '{command}' timed out after {Durations.Format(_timeout)}"
            : $"could not {what}: '{command}' exited with code {result.ExitCode}";
        return new DeployFailedException(DeploymentPhase.Source, DeployFailedException.WithLastLines(reason, lines), result.TimedOut ? null : result.ExitCode);
    }

    private string WriteAskPass()
    {
        var directory = Path.Combine(_root, ".askpass-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        UnixPermissions.Set(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Path.Combine(directory, "askpass.sh");
        File.WriteAllText(path, AskPassScript.ReplaceLineEndings("\n") + "\n", new UTF8Encoding(false));
        UnixPermissions.Set(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        return path;
    }
}
