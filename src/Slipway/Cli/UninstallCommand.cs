using System.CommandLine;
using Slipway.Install;

namespace Slipway.Cli;

/// <summary><c>slipway uninstall</c>: undoes <c>slipway install</c>; the home stays unless <c>--purge</c>.</summary>
internal static class UninstallCommand
{
    public static Command Create()
    {
        var purge = new Option<bool>("--purge") { Description = $"Also remove the home (store, releases, logs, token) and the system user {HostLayout.UserName}." };
        var command = new Command("uninstall",
            $"Stop and remove the Slipway service (run as root): unit, {HostLayout.DefaultBinary}, {HostLayout.ConfigPath}. The home is kept unless --purge.");
        command.Options.Add(InstallCommand.Root);
        command.Options.Add(InstallCommand.Home);
        command.Options.Add(purge);
        command.Options.Add(InstallCommand.DryRun);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = CliContext.OutputFor(parseResult);
            var layout = new HostLayout { Root = parseResult.GetValue(InstallCommand.Root)!, Home = parseResult.GetValue(InstallCommand.Home)! };
            var code = await InstallCommand.RunAsync(output, Uninstaller.Plan(layout, parseResult.GetValue(purge)), layout, parseResult.GetValue(InstallCommand.DryRun), "uninstall");
            if (code == ExitCodes.Ok && !parseResult.GetValue(purge))
            {
                output.Line($"  kept       home {layout.Home} (`slipway uninstall --purge` removes it and the user {HostLayout.UserName})");
            }

            return code;
        });
        return command;
    }
}
