using System.CommandLine;
using System.Net;
using System.Text.Json;
using Slipway.Client;

namespace Slipway.Cli;

/// <summary>
/// Wires a command that talks to the admin API: adds <c>--url</c>/<c>--home</c> and turns the client's
/// exceptions into a message and an exit code, so each command's action is only its happy path.
/// </summary>
internal static class ClientCommand
{
    public static void SetAction(Command command, Func<CliContext, CancellationToken, Task<int>> action, bool json = false)
    {
        command.Options.Add(ClientOptions.Url);
        command.Options.Add(ClientOptions.Home);
        if (json)
        {
            command.Options.Add(ClientOptions.Json);
        }

        command.SetAction(async (ParseResult parseResult, CancellationToken cancellationToken) =>
        {
            var output = CliContext.OutputFor(parseResult);
            AdminEndpoint? endpoint = null;
            return await RunAsync(output, async () =>
            {
                endpoint = AdminEndpoint.FromEnvironment(parseResult.GetValue(ClientOptions.Url), parseResult.GetValue(ClientOptions.Home));
                using var client = new AdminClient(endpoint);
                return await action(new CliContext(parseResult, output, client), cancellationToken);
            }, cancellationToken, () => endpoint);
        });
    }

    /// <summary>Runs <paramref name="body"/>, printing any client failure and mapping it to its exit code.</summary>
    public static async Task<int> RunAsync(
        Output output, Func<Task<int>> body, CancellationToken cancellationToken, Func<AdminEndpoint?>? endpoint = null)
    {
        try
        {
            return await body();
        }
        catch (ServerUnreachableException ex)
        {
            output.Error(ex.Message);
            return ExitCodes.Unreachable;
        }
        catch (CliConfigurationException ex)
        {
            output.Error(ex.Message);
            return ExitCodes.Usage;
        }
        catch (AdminApiException ex)
        {
            return Report(output, ex, endpoint?.Invoke());
        }
        catch (JsonException ex)
        {
            output.Error($"the admin API sent an answer this CLI does not understand ({ex.Message}); are the CLI and server the same version? see `slipway version`");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.Note("interrupted");
            return 130;
        }
    }

    public static int Report(Output output, AdminApiException ex, AdminEndpoint? endpoint, string? localFile = null)
    {
        switch (ex.Status)
        {
            case HttpStatusCode.Unauthorized:
                output.Error(UnauthorizedMessage(endpoint));
                return ExitCodes.Usage;
            case HttpStatusCode.BadRequest:
                var lines = ApiErrorLines.Format(ex.Error, localFile);
                // With details, the server's message repeats them under the server's name for the file: keep its headline only.
                output.Error(lines.Count > 0 ? ex.Message.Split('\n', 2)[0].TrimEnd() : ex.Message);
                foreach (var line in lines)
                {
                    output.Note(line);
                }

                return ExitCodes.Usage;
            case HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity:
                output.Error(ex.Message);
                return ExitCodes.Usage;
            default:
                output.Error(ex.Message);
                return ExitCodes.Failed;
        }
    }

    private static string UnauthorizedMessage(AdminEndpoint? endpoint)
    {
        const string how = "create one on the server's machine with `slipway tokens create NAME` and set SLIPWAY_TOKEN, "
            + "or point --home/SLIPWAY_HOME at the server's home so its admin.token is used";
        if (endpoint is null)
        {
            return $"the admin API refused the request (401 unauthorized): {how}";
        }

        return endpoint.Token is null
            ? $"no admin token: SLIPWAY_TOKEN is unset and {endpoint.TokenFile} does not exist; {how}"
            : $"the admin API refused the token from {endpoint.TokenSource} (401 unauthorized; revoked or for another server?): {how}";
    }
}
