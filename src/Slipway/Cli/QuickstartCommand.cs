using System.CommandLine;
using Slipway.Client;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.Hosting;
using Slipway.Quickstart;

namespace Slipway.Cli;

/// <summary>
/// <c>slipway quickstart</c>: brings Slipway up with defaults, registers and deploys the bundled
/// <c>examples/hello</c> (or, without the SDK, the built-in example), says how to reach and redeploy it, and runs until Ctrl-C (then stops everything,
/// the app included: this is a demo, not a host).
/// </summary>
internal static class QuickstartCommand
{
    public static Command Create()
    {
        var command = new Command("quickstart", "Start Slipway with defaults and deploy the bundled example app (examples/hello). Runs until Ctrl-C.");
        UpCommand.AddOptions(command);
        command.Options.Add(ClientOptions.Json);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = CliContext.OutputFor(parseResult);
            var stack = await UpCommand.StartAsync(parseResult, output);
            if (stack is null)
            {
                return ExitCodes.Failed;
            }

            // examples/hello builds with `dotnet publish`; without the SDK (a release binary on a host) the built-in
            // example, served by this binary itself, shows the same deploy.
            var example = BuiltInExample.SdkOnPath() ? FindExample() : null;
            if (example is null)
            {
                example = BuiltInExample.Write(stack.Edge.Options.FullHome);
                output.Note(BuiltInExample.SdkOnPath()
                    ? "slipway quickstart: examples/hello is not here (not a clone of the Slipway repository); deploying the built-in example"
                    : "slipway quickstart: no `dotnet` on PATH to build examples/hello; deploying the built-in example (served by this slipway binary)");
            }

            try
            {
                UpCommand.PrintReady(output, stack);
                var code = await DeployExampleAsync(parseResult, output, stack, example, cancellationToken);
                if (code != ExitCodes.Ok)
                {
                    return code;
                }

                var host = "hello.localhost";
                output.Line();
                output.Success($"hello is live: curl -H 'Host: {host}' {stack.HttpUrl}/   (or open http://{host}:{stack.Edge.HttpEndpoint.Port}/)");
                var cli = SelfCommand.Arguments() is [var program] ? SelfCommand.Quote(program) : "dotnet run --project src/Slipway --";
                output.Line($"  redeploy it:  {cli} deploy hello --from {example}");
                output.Line($"  status:       {cli} status hello");
                output.Line("  Ctrl-C stops Slipway and the example.");
                if (await UpCommand.WaitForStopAsync(stack, cancellationToken) is { } upgraded)
                {
                    UpCommand.PrintHandedOver(output, upgraded);
                }

                return ExitCodes.Ok;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Failed;
            }
            finally
            {
                output.Note("slipway: stopping the example, the control plane and the edge");
                await stack.StopAsync(stopApps: true);
            }
        });
        return command;
    }

    private static async Task<int> DeployExampleAsync(ParseResult parseResult, Output output, SlipwayStack stack, string example, CancellationToken cancellationToken)
    {
        var home = stack.Edge.Options.FullHome;
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        AdminClient? client = null;
        try
        {
            // The control plane writes the admin token on its first start; wait for it to be ready.
            while (true)
            {
                client?.Dispose();
                client = new AdminClient(AdminEndpoint.Resolve(stack.AdminUrl, home, Environment.GetEnvironmentVariable));
                if (client.Endpoint.Token is not null && await IsReadyAsync(client, cancellationToken))
                {
                    break;
                }

                if (DateTimeOffset.UtcNow > deadline)
                {
                    output.Error($"slipway quickstart: the control plane did not become ready within 60 s; see {Path.Combine(home, "logs", "processes", "slipway.log")}");
                    return ExitCodes.Failed;
                }

                await Task.Delay(200, cancellationToken);
            }

            output.Step($"registering examples/hello from {example}");
            await client.PutAppAsync("hello", await File.ReadAllTextAsync(Path.Combine(example, "slipway.yml"), cancellationToken), isJson: false, cancellationToken);
            var started = await client.DeployAsync("hello", new DeployRequest { From = example }, cancellationToken);
            return await DeploymentFollower.RunAsync(new CliContext(parseResult, output, client), started, detach: false, cancellationToken);
        }
        catch (AdminApiException e)
        {
            output.Error($"slipway quickstart: {e.Message}");
            return ExitCodes.Failed;
        }
        finally
        {
            client?.Dispose();
        }
    }

    private static async Task<bool> IsReadyAsync(AdminClient client, CancellationToken cancellationToken)
    {
        try
        {
            return await client.IsReadyAsync(cancellationToken);
        }
        catch (ServerUnreachableException)
        {
            return false;
        }
    }

    /// <summary>examples/hello of the repository this binary was built from, or of the current directory's.</summary>
    private static string? FindExample()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "examples", "hello");
                if (File.Exists(Path.Combine(candidate, "slipway.yml")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
