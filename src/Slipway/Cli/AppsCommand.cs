using System.CommandLine;
using Slipway.Client;
using Slipway.ControlPlane.Api.Contracts;

namespace Slipway.Cli;

/// <summary><c>slipway apps add|list|remove</c>: register apps from their spec and manage the registry.</summary>
internal static class AppsCommand
{
    public static Command Create()
    {
        var command = new Command("apps", "Register, list and remove apps.");
        command.Subcommands.Add(CreateAdd());
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateRemove());
        return command;
    }

    private static Command CreateAdd()
    {
        var file = new Argument<string>("file")
        {
            Description = "The app's slipway.yml (or a JSON spec). The app name is its `app:` key. Adding an existing app replaces its spec.",
        };
        var command = new Command("add", "Register an app, or update its spec, from a slipway.yml. Nothing is deployed until `slipway deploy`.");
        command.Arguments.Add(file);
        ClientCommand.SetAction(command, async (context, cancellationToken) =>
        {
            var spec = SpecFile.Load(context.ParseResult.GetRequiredValue(file));
            AppView app;
            try
            {
                app = await context.Client.PutAppAsync(spec.App, spec.Text, spec.IsJson, cancellationToken);
            }
            catch (AdminApiException ex) when (ex.Status == System.Net.HttpStatusCode.BadRequest)
            {
                return ClientCommand.Report(context.Output, ex, context.Client.Endpoint, context.ParseResult.GetRequiredValue(file));
            }

            if (context.Json)
            {
                context.Output.Json(app);
                return ExitCodes.Ok;
            }

            context.Output.Success($"registered {app.Name} (runtime {app.Runtime})");
            PrintApp(context.Output, app);
            context.Output.Note($"next: slipway deploy {app.Name} --from <dir>");
            return ExitCodes.Ok;
        }, json: true);
        return command;
    }

    private static Command CreateList()
    {
        var command = new Command("list", "List registered apps with their routes and environments.");
        ClientCommand.SetAction(command, async (context, cancellationToken) =>
        {
            var apps = await context.Client.ListAppsAsync(cancellationToken);
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

            context.Output.Table(
                ["APP", "RUNTIME", "ROUTES", "ENVIRONMENTS"],
                apps.Select(a => (IReadOnlyList<string>)[a.Name, a.Runtime, string.Join(", ", a.Routes), string.Join(", ", a.Environments.Select(e => e.Env))]));
            return ExitCodes.Ok;
        }, json: true);
        return command;
    }

    private static Command CreateRemove()
    {
        var app = new Argument<string>("app") { Description = "Name of the app to remove." };
        var command = new Command("remove", "Remove an app: stops its processes and removes its routes. Its releases on disk are kept until pruned.");
        command.Arguments.Add(app);
        ClientCommand.SetAction(command, async (context, cancellationToken) =>
        {
            var name = context.ParseResult.GetRequiredValue(app);
            await context.Client.RemoveAppAsync(name, cancellationToken);
            context.Output.Success($"removed {name}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void PrintApp(Output output, AppView app)
    {
        output.Line($"  routes:       {(app.Routes.Count == 0 ? "(none)" : string.Join(", ", app.Routes))}");
        output.Line($"  environments: {string.Join(", ", app.Environments.Select(e => e.Env))}");
    }
}
