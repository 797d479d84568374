using System.CommandLine;
using System.Text.Json;
using Slipway.Edge.Secrets;
using Slipway.Edge.Supervision;
using Slipway.Hosting;

namespace Slipway.Cli;

/// <summary>
/// <c>slipway relay-output FIFO LOGFILE</c> (hidden): started by the edge for each run of a process that has secrets;
/// reads the secret values as a JSON array on stdin, then copies the process's output from FIFO to LOGFILE with every
/// value masked. See <see cref="OutputRelay"/>.
/// </summary>
internal static class RelayOutputCommand
{
    public const string Name = "relay-output";

    /// <summary>How the edge runs this command (it appends the FIFO and the log file).</summary>
    public static IReadOnlyList<string> SelfArguments() => SelfCommand.Arguments(Name);

    public static Command Create()
    {
        var fifo = new Argument<string>("fifo") { Description = "The FIFO the process writes its output to." };
        var logFile = new Argument<string>("log-file") { Description = "The log file the masked output is appended to." };
        var command = new Command(Name, "Internal: mask secrets in a supervised process's output (started by the edge).") { Hidden = true };
        command.Arguments.Add(fifo);
        command.Arguments.Add(logFile);
        command.SetAction(async (parseResult, _) =>
        {
            var log = parseResult.GetRequiredValue(logFile);
            try
            {
                var values = await JsonSerializer.DeserializeAsync<string[]>(Console.OpenStandardInput(), cancellationToken: CancellationToken.None) ?? [];
                // Not cancellable on purpose: it must drain the app's output to the end, whatever signal the CLI host sees.
                await OutputRelay.RunAsync(parseResult.GetRequiredValue(fifo), log, new OutputRedactor(values), CancellationToken.None);
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
            {
                // Its stdout and stderr go nowhere (it outlives the edge); the log file is where someone will look.
                await File.AppendAllTextAsync(log, $"slipway relay-output: {e.Message}\n", CancellationToken.None);
                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
