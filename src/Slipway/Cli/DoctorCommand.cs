using System.CommandLine;
using Slipway.Client;

namespace Slipway.Cli;

/// <summary><c>slipway doctor</c>: check this machine can run Slipway, and say how to fix what is missing.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command(
            "doctor",
            "Check the tools Slipway needs (git, dotnet, bash, setsid), Docker, the home directory, the edge and admin ports, "
            + "and whether the edge and control plane answer. Exits 1 if a required check fails.");
        command.Options.Add(ClientOptions.Url);
        command.Options.Add(ClientOptions.Home);
        command.SetAction(async (ParseResult parseResult, CancellationToken cancellationToken) =>
        {
            var output = CliContext.OutputFor(parseResult);
            return await ClientCommand.RunAsync(output, async () =>
            {
                var endpoint = AdminEndpoint.FromEnvironment(parseResult.GetValue(ClientOptions.Url), parseResult.GetValue(ClientOptions.Home));
                var checks = await new Doctor(endpoint, Environment.GetEnvironmentVariable).RunAsync(cancellationToken);
                foreach (var check in checks)
                {
                    switch (check.Status)
                    {
                        case DoctorStatus.Ok:
                            output.Success(check.Render());
                            break;
                        case DoctorStatus.Warning:
                            output.Warning(check.Render());
                            break;
                        default:
                            output.Failure(check.Render());
                            break;
                    }
                }

                return checks.Any(c => c.Status == DoctorStatus.Failed) ? ExitCodes.Failed : ExitCodes.Ok;
            }, cancellationToken);
        });
        return command;
    }
}
