using System.CommandLine;
using Slipway.ControlPlane.Api.Contracts;

namespace Slipway.Cli;

/// <summary><c>slipway promote APP --to ENV</c>: run the release validated in the environment before ENV in ENV, followed like a deploy.</summary>
internal static class PromoteCommand
{
    public static Command Create()
    {
        var app = new Argument<string>("app") { Description = "The app to promote." };
        var to = new Option<string>("--to")
        {
            Description = "Environment to promote to (e.g. prod); the release comes from the environment listed before it.",
            HelpName = "ENV",
            Required = true,
        };
        var release = new Option<string?>("--release")
        {
            Description = "Release id to promote (see `slipway releases APP`). Default: the release current in the environment before ENV.",
            HelpName = "RELEASE",
        };
        var detach = new Option<bool>("--detach") { Description = "Print the deployment id and return at once instead of following it." };
        var command = new Command(
            "promote",
            "Promote the release that passed one environment to the next (e.g. test to prod): the same release, same digest, "
            + "started and probed again in ENV; nothing is rebuilt. Exit codes as for deploy.");
        command.Arguments.Add(app);
        command.Options.Add(to);
        command.Options.Add(release);
        command.Options.Add(detach);
        ClientCommand.SetAction(command, async (context, cancellationToken) =>
        {
            var pr = context.ParseResult;
            var started = await context.Client.PromoteAsync(
                pr.GetRequiredValue(app), new PromoteRequest { To = pr.GetRequiredValue(to), Release = pr.GetValue(release) }, cancellationToken);
            return await DeploymentFollower.RunAsync(context, started, pr.GetValue(detach), cancellationToken);
        }, json: true);
        return command;
    }
}
