using System.CommandLine;
using Slipway.ControlPlane.Secrets;

namespace Slipway.Cli;

/// <summary><c>slipway secrets set|list|unset</c>: an app's secrets, encrypted at rest and masked in every output.</summary>
internal static class SecretsCommand
{
    public static Command Create()
    {
        var command = new Command("secrets",
            "Set, list and unset an app's secrets: injected as environment variables into its builds, migrations and generations, "
            + "stored encrypted, and shown as *** wherever output would print them. A change applies from the next deploy.");

        var app = new Argument<string>("app") { Description = "The registered app." };
        var name = new Argument<string>("name") { Description = "The secret's name, e.g. DATABASE_URL ([A-Z_][A-Z0-9_]*)." };
        var value = new Option<string?>("--value")
        {
            Description = "The value, for scripts that cannot pipe it. It lands in shell history and the process list: prefer stdin.",
            HelpName = "VALUE",
        };

        var set = new Command("set", "Set NAME for APP. The value is read from stdin when piped (`printf %s \"$V\" | slipway secrets set APP NAME`), else prompted for without echo.");
        set.Arguments.Add(app);
        set.Arguments.Add(name);
        set.Options.Add(value);
        ClientCommand.SetAction(set, async (context, cancellationToken) =>
        {
            var appName = context.ParseResult.GetRequiredValue(app);
            var secretName = context.ParseResult.GetRequiredValue(name);
            if (SecretNames.NameProblem(secretName) is { } nameProblem)
            {
                context.Output.Error(nameProblem);
                return ExitCodes.Usage;
            }

            var secretValue = await ReadValueAsync(context, context.ParseResult.GetValue(value), appName, secretName, cancellationToken);
            if (SecretNames.ValueProblem(secretValue) is { } valueProblem)
            {
                context.Output.Error(valueProblem);
                return ExitCodes.Usage;
            }

            var answer = await context.Client.SetSecretAsync(appName, secretName, secretValue, cancellationToken);
            if (answer.Warning is { } warning)
            {
                context.Output.Note("warning: " + warning);
            }

            context.Output.Success($"secret {secretName} of {appName} {(answer.Created == false ? "replaced" : "set")}; it applies from the next deploy");
            return ExitCodes.Ok;
        });

        var list = new Command("list", "List APP's secrets: names and when they were set, never values.");
        list.Arguments.Add(app);
        ClientCommand.SetAction(list, async (context, cancellationToken) =>
        {
            var appName = context.ParseResult.GetRequiredValue(app);
            var secrets = await context.Client.ListSecretsAsync(appName, cancellationToken);
            if (context.Json)
            {
                context.Output.Json(secrets);
                return ExitCodes.Ok;
            }

            if (secrets.Count == 0)
            {
                context.Output.Line($"{appName} has no secrets; add one with `slipway secrets set {appName} NAME`");
                return ExitCodes.Ok;
            }

            context.Output.Table(["NAME", "UPDATED"],
                secrets.Select(s => (IReadOnlyList<string>)[s.Name, s.UpdatedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'")]));
            return ExitCodes.Ok;
        }, json: true);

        var unset = new Command("unset", "Remove NAME from APP's secrets; the next deploy runs without it.");
        unset.Arguments.Add(app);
        unset.Arguments.Add(name);
        ClientCommand.SetAction(unset, async (context, cancellationToken) =>
        {
            var appName = context.ParseResult.GetRequiredValue(app);
            var secretName = context.ParseResult.GetRequiredValue(name);
            if (SecretNames.NameProblem(secretName) is { } nameProblem)
            {
                context.Output.Error(nameProblem);
                return ExitCodes.Usage;
            }

            await context.Client.UnsetSecretAsync(appName, secretName, cancellationToken);
            context.Output.Success($"secret {secretName} of {appName} removed; it applies from the next deploy");
            return ExitCodes.Ok;
        });

        command.Subcommands.Add(set);
        command.Subcommands.Add(list);
        command.Subcommands.Add(unset);
        return command;
    }

    private static async Task<string> ReadValueAsync(CliContext context, string? fromOption, string app, string name, CancellationToken cancellationToken)
    {
        if (fromOption is not null)
        {
            context.Output.Note("warning: --value puts the secret in your shell history and in the process list; "
                + $"pipe it instead: printf %s \"$VALUE\" | slipway secrets set {app} {name}");
            return fromOption;
        }

        if (Console.IsInputRedirected)
        {
            // One trailing newline is what `echo` or a file adds, never part of the secret.
            var text = await Console.In.ReadToEndAsync(cancellationToken);
            return text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
        }

        context.Output.Note($"type the value of {name} for {app} and press Enter (it is not echoed):");
        return HiddenInput.ReadLine();
    }
}
