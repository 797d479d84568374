using System.CommandLine;
using Slipway.Cli;

namespace Slipway.FunctionalTests.Cli;

/// <summary>Runs the command tree in-process with captured output, as a user at a pipe would see it.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static Task<CliRun> RunAsync(params string[] args) => RunAsync(args, new StringWriter(), CancellationToken.None);

    /// <summary>Runs with a caller-owned stdout, and a token a test cancels like Ctrl-C.</summary>
    public static async Task<CliRun> RunAsync(string[] args, StringWriter stdout, CancellationToken cancellationToken)
    {
        var stderr = new StringWriter();
        var exitCode = await SlipwayCli.RunAsync(
            args, new InvocationConfiguration { Output = TextWriter.Synchronized(stdout), Error = TextWriter.Synchronized(stderr) }, cancellationToken);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }
}
