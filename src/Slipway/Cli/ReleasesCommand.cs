using System.CommandLine;

namespace Slipway.Cli;

/// <summary><c>slipway releases APP</c>: the release ledger, newest first.</summary>
internal static class ReleasesCommand
{
    public static Command Create()
    {
        var app = new Argument<string>("app") { Description = "The app whose releases to list." };
        var command = new Command("releases", "List APP's releases, newest first, with where each ran. Use an id with `slipway rollback APP --to ID`.");
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
                ["RELEASE", "REVISION", "BUILT", "ENVIRONMENTS"],
                releases.Select(r => (IReadOnlyList<string>)
                [
                    r.Id,
                    (r.Revision is { } rev ? DeploymentFollower.Short(rev) : "-") + (r.Dirty ? " (dirty)" : ""),
                    r.BuiltAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'"),
                    r.Environments.Count == 0 ? "-" : string.Join(", ", r.Environments.Select(kv => $"{kv.Key}={kv.Value}")),
                ]));
            return ExitCodes.Ok;
        }, json: true);
        return command;
    }
}
