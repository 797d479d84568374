using System.CommandLine;
using Slipway.Cli;

namespace Slipway.FunctionalTests.Cli;

/// <summary>Runs the command tree in-process with captured output, as a user at a pipe would see it.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exitCode = await SlipwayCli.RunAsync(args, new InvocationConfiguration { Output = stdout, Error = stderr }, CancellationToken.None);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }
}
