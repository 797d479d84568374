using System.CommandLine;
using Slipway.ControlPlane.Api.Contracts;

namespace Slipway.Cli;

/// <summary><c>slipway status [APP]</c>: what runs where, one row per app and environment.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var app = new Argument<string?>("app") { Description = "Only this app. Default: every registered app.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("status", "Show each app's environments: current generation, release, revision, edge health and process state.");
        command.Arguments.Add(app);
        ClientCommand.SetAction(command, async (context, cancellationToken) =>
        {
            IReadOnlyList<AppView> apps = context.ParseResult.GetValue(app) is { } name
                ? [await context.Client.GetAppAsync(name, cancellationToken)]
                : await context.Client.ListAppsAsync(cancellationToken);
            if (context.Json)
            {
                context.Output.Json(apps);
                return ExitCodes.Ok;
            }

            if (apps.Count == 0)
            {
                context.Output.Line("no apps registered; add one with `slipway apps add slipway.yml`");
                return ExitCodes.Ok;
            }

            context.Output.Table(["APP", "ENV", "GEN", "RELEASE", "REVISION", "HEALTH", "PROCESS", "RESTARTS"], Rows(apps));
            return ExitCodes.Ok;
        }, json: true);
        return command;
    }

    public static IEnumerable<IReadOnlyList<string>> Rows(IReadOnlyList<AppView> apps)
    {
        foreach (var a in apps)
        {
            if (a.Environments.Count == 0)
            {
                yield return [a.Name, "-", "-", "-", "-", "-", "-", "-"];
                continue;
            }

            foreach (var e in a.Environments)
            {
                yield return
                [
                    a.Name,
                    e.Env,
                    e.CurrentGeneration?.ToString() ?? "-",
                    e.Release ?? "-",
                    e.Revision is { } r ? DeploymentFollower.Short(r) : "-",
                    e.Health ?? "-",
                    e.ProcessState ?? "-",
                    e.Restarts?.ToString() ?? "-",
                ];
            }
        }
    }
}
