using System.CommandLine;
using Slipway.Quickstart;

namespace Slipway.Cli;

/// <summary>Internal: the process of quickstart's built-in example app.</summary>
internal static class ExampleHelloCommand
{
    public static Command Create()
    {
        var command = new Command(BuiltInExample.CommandName, "Internal: serve quickstart's built-in example app on $PORT.") { Hidden = true };
        command.SetAction((_, cancellationToken) => HelloApp.RunAsync(cancellationToken));
        return command;
    }
}
