using System.CommandLine;

namespace Slipway.Cli;

/// <summary><c>slipway cancel ID</c>: stop a queued or running deployment.</summary>
internal static class CancelCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "Deployment id, as printed by `slipway deploy` or `slipway deploy --detach`." };
        var command = new Command("cancel", "Cancel a queued or running deployment. The live release keeps serving; a half-started generation is stopped.");
        command.Arguments.Add(id);
        ClientCommand.SetAction(command, async (context, cancellationToken) =>
        {
            var deployment = await context.Client.CancelAsync(context.ParseResult.GetRequiredValue(id), cancellationToken);
            if (context.Json)
            {
                context.Output.Json(deployment);
            }
            else
            {
                context.Output.Line($"{deployment.Id}: {deployment.Status} ({deployment.Kind} of {deployment.App} to {deployment.Env}, phase {deployment.Phase})");
            }

            return ExitCodes.Ok;
        }, json: true);
        return command;
    }
}
