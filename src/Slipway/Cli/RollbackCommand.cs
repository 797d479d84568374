using System.CommandLine;
using Slipway.ControlPlane.Api.Contracts;

namespace Slipway.Cli;

/// <summary><c>slipway rollback APP</c>: route traffic back to an earlier release, followed like a deploy.</summary>
internal static class RollbackCommand
{
    public static Command Create()
    {
        var app = new Argument<string>("app") { Description = "The app to roll back." };
        var to = new Option<string?>("--to")
        {
            Description = "Release id to go back to (see `slipway releases APP`). Default: the previous generation's release.",
            HelpName = "RELEASE",
        };
        var env = new Option<string?>("--env") { Description = "Environment to roll back. Default: the app's last environment (e.g. prod).", HelpName = "ENV" };
        var detach = new Option<bool>("--detach") { Description = "Print the deployment id and return at once instead of following it." };
        var command = new Command(
            "rollback",
            "Roll APP back to an earlier release: a warm previous generation is re-routed at once, otherwise the release is started and verified first. "
            + "Exit codes as for deploy.");
        command.Arguments.Add(app);
        command.Options.Add(to);
        command.Options.Add(env);
        command.Options.Add(detach);
        ClientCommand.SetAction(command, async (context, cancellationToken) =>
        {
            var pr = context.ParseResult;
            var started = await context.Client.RollbackAsync(
                pr.GetRequiredValue(app), new RollbackRequest { To = pr.GetValue(to), Env = pr.GetValue(env) }, cancellationToken);
            return await DeploymentFollower.RunAsync(context, started, pr.GetValue(detach), cancellationToken);
        }, json: true);
        return command;
    }
}
