using System.CommandLine;

namespace Slipway.Cli;

/// <summary>The <c>slipway</c> command tree. Each sub-command lives in its own file under <c>Cli/</c>.</summary>
internal static class SlipwayCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Slipway: verified, gapless deploys on your own machine.");
        root.Subcommands.Add(EdgeCommand.Create());
        // Long-running commands drain on SIGTERM/Ctrl-C (the edge up to 25 s); the default 2 s would cut that short.
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(40) });
    }
}
