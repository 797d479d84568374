using System.CommandLine;

namespace Slipway.Cli;

/// <summary><c>slipway webhooks secret APP</c>: the secret a forge signs APP's push deliveries with.</summary>
internal static class WebhooksCommand
{
    public static Command Create()
    {
        var command = new Command("webhooks", "Push to deploy: set the secret Forgejo, Gitea or GitHub signs webhook deliveries with.");

        var app = new Argument<string>("app") { Description = "The registered app whose pushes this secret signs." };
        var secret = new Command(
            "secret",
            "Set APP's webhook secret, read from stdin (e.g. `openssl rand -hex 32 | tee /dev/stderr | slipway webhooks secret hello`). "
            + "Enter the same secret in the forge's webhook settings, with payload URL <server>/api/v1/webhooks/{forgejo,gitea,github} "
            + "and content type application/json.");
        secret.Arguments.Add(app);
        ClientCommand.SetAction(secret, async (context, cancellationToken) =>
        {
            var name = context.ParseResult.GetRequiredValue(app);
            if (!Console.IsInputRedirected)
            {
                context.Output.Note($"type the webhook secret for {name} and press Enter (it is not echoed):");
            }

            var value = Console.IsInputRedirected
                ? (await Console.In.ReadToEndAsync(cancellationToken)).TrimEnd('\r', '\n')
                : HiddenInput.ReadLine();
            await context.Client.SetWebhookSecretAsync(name, value, cancellationToken);
            context.Output.Success($"webhook secret of {name} set; deliveries signed with it deploy pushes to {name}'s branch");
            return ExitCodes.Ok;
        });

        command.Subcommands.Add(secret);
        return command;
    }
}
