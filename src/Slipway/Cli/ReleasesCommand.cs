using System.CommandLine;

namespace Slipway.Cli;

/// <summary><c>slipway releases APP</c>: the release ledger, newest first.</summary>
internal static class ReleasesCommand
{
    public static Command Create()
    {
        var app = new Argument<string>("app") { Description = "The app whose releases to list." };
        var command = new Command("releases", "List APP's releases, newest first: revision, digest, build time, the environments each ran in with its outcome "
            + "(✓ passed, ✗ failed; current/previous), and its migrate status. Use an id with `slipway rollback APP --to ID` or `slipway promote APP --to ENV --release ID`.");
        command.Arguments.Add(app);
        ClientCommand.SetAction(command, async (context, cancellationToken) =>
        {
            var releases = await context.Client.ListReleasesAsync(context.ParseResult.GetRequiredValue(app), cancellationToken);
            if (context.Json)
            {
                context.Output.Json(releases);
                return ExitCodes.Ok;
            }

            if (releases.Count == 0)
            {
                context.Output.Line("no releases yet; build one with `slipway deploy APP`");
                return ExitCodes.Ok;
            }

            context.Output.Table(
                ["RELEASE", "REVISION", "DIGEST", "BUILT", "ENVIRONMENTS", "MIGRATE"],
                releases.Select(r => (IReadOnlyList<string>)
                [
                    r.Id + (r.Retained ? "" : " (pruned)"),
                    (r.Revision is { } rev ? DeploymentFollower.Short(rev) : "-") + (r.Dirty ? " (dirty)" : ""),
                    ShortDigest(r.Digest),
                    r.BuiltAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'"),
                    r.Environments.Count == 0 ? "-" : string.Join("  ", r.Environments.Select(kv => Outcome(kv.Key, kv.Value))),
                    r.Migration switch
                    {
                        null => "-",
                        "failed" => r.MigrationExitCode is { } code ? $"failed (exit {code})" : "failed",
                        "started" => "interrupted",
                        var status => status,
                    },
                ]));
            return ExitCodes.Ok;
        }, json: true);
        return command;
    }

    /// <summary><c>prod ✓ (current)</c>: ran there and passed; <c>test ✗</c>: its generation there failed.</summary>
    private static string Outcome(string env, string outcome) => outcome switch
    {
        "current" or "previous" => $"{env} ✓ ({outcome})",
        "failed" => $"{env} ✗",
        _ => $"{env} ✓",
    };

    /// <summary><c>sha256:0123456789ab</c>: enough to tell builds apart at a glance; <c>--json</c> has the full digest.</summary>
    private static string ShortDigest(string digest)
    {
        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        return digest.Length > colon + 13 ? digest[..(colon + 13)] : digest;
    }
}
