using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Slipway.Cli;

/// <summary>The <c>slipway</c> command tree. Each sub-command lives in its own file under <c>Cli/</c>.</summary>
internal static class SlipwayCli
{
    // Long-running commands drain on SIGTERM/Ctrl-C (the edge up to 25 s); the default 2 s would cut that short.
    public static Task<int> RunAsync(string[] args) =>
        RunAsync(args, new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(40) }, CancellationToken.None);

    /// <summary>Parses and runs; a usage error (unknown command or option, missing argument) exits 2.</summary>
    public static async Task<int> RunAsync(string[] args, InvocationConfiguration configuration, CancellationToken cancellationToken)
    {
        var parseResult = CreateRoot().Parse(args);
        if (parseResult.Action is ParseErrorAction parseError)
        {
            // Errors go to stderr with a pointer to the right help, not a page of help on stdout that scripts would capture.
            parseError.ShowHelp = false;
            await parseResult.InvokeAsync(configuration, cancellationToken);
            var names = new List<string>();
            for (var result = parseResult.CommandResult; result is { Command: not RootCommand }; result = result.Parent as CommandResult)
            {
                names.Insert(0, result.Command.Name);
            }

            var command = string.Join(' ', names);
            await configuration.Error.WriteLineAsync($"Run `slipway {(command.Length > 0 ? command + " " : "")}--help` for usage.");
            return ExitCodes.Usage;
        }

        return await parseResult.InvokeAsync(configuration, cancellationToken);
    }

    public static RootCommand CreateRoot()
    {
        var root = new RootCommand(
            "Slipway: verified, gapless deploys on your own machine.\n"
            + "The client commands talk to the admin API at $SLIPWAY_URL (default http://127.0.0.1:7070) with the token in "
            + "$SLIPWAY_TOKEN or $SLIPWAY_HOME/admin.token.");

        root.Subcommands.Add(QuickstartCommand.Create());
        root.Subcommands.Add(UpCommand.Create());
        root.Subcommands.Add(EdgeCommand.Create());
        root.Subcommands.Add(ServerCommand.Create());
        root.Subcommands.Add(InstallCommand.Create());
        root.Subcommands.Add(UninstallCommand.Create());

        root.Subcommands.Add(InitCommand.Create());
        root.Subcommands.Add(AppsCommand.Create());
        root.Subcommands.Add(DeployCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(ReleasesCommand.Create());
        root.Subcommands.Add(RollbackCommand.Create());
        root.Subcommands.Add(PromoteCommand.Create());
        root.Subcommands.Add(RolloutCommand.Create());
        root.Subcommands.Add(CancelCommand.Create());
        root.Subcommands.Add(LogsCommand.Create());
        root.Subcommands.Add(TokensCommand.Create());
        root.Subcommands.Add(WebhooksCommand.Create());
        root.Subcommands.Add(SelfDeployCommand.Create());
        root.Subcommands.Add(SecretsCommand.Create());
        root.Subcommands.Add(CertsCommand.Create());
        root.Subcommands.Add(RelayOutputCommand.Create());
        root.Subcommands.Add(ExampleHelloCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(VersionCommand.Create());
        return root;
    }
}
