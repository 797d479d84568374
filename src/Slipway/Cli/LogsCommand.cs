using System.CommandLine;

namespace Slipway.Cli;

/// <summary><c>slipway logs APP [-f]</c>: the current generation's output.</summary>
internal static class LogsCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var app = new Argument<string>("app") { Description = "The app whose output to show." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new output until Ctrl-C." };
        var lines = new Option<int>("--lines", "-n")
        {
            Description = "How many of the last lines to show.",
            DefaultValueFactory = _ => 100,
            HelpName = "N",
        };
        lines.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 100_000)
            {
                result.AddError("--lines must be between 1 and 100000");
            }
        });
        var command = new Command("logs", "Show the output (stdout and stderr) of APP's current generation.");
        command.Arguments.Add(app);
        command.Options.Add(follow);
        command.Options.Add(lines);
        ClientCommand.SetAction(command, async (context, cancellationToken) =>
        {
            var name = context.ParseResult.GetRequiredValue(app);
            var count = context.ParseResult.GetValue(lines);
            var seen = LogTail.Split(await context.Client.GetLogsAsync(name, count, cancellationToken));
            foreach (var line in seen)
            {
                context.Output.Line(line);
            }

            if (!context.ParseResult.GetValue(follow))
            {
                return ExitCodes.Ok;
            }

            try
            {
                while (true)
                {
                    await Task.Delay(PollInterval, cancellationToken);
                    var current = LogTail.Split(await context.Client.GetLogsAsync(name, count, cancellationToken));
                    foreach (var line in LogTail.NewLines(seen, current))
                    {
                        context.Output.Line(line);
                    }

                    seen = current;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C is how -f ends.
                return ExitCodes.Ok;
            }
        });
        return command;
    }
}
