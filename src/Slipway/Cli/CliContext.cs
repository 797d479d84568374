using System.CommandLine;
using Slipway.Client;

namespace Slipway.Cli;

/// <summary>What a client command needs: where to print, and an admin client bound to the resolved endpoint.</summary>
internal sealed class CliContext(ParseResult parseResult, Output output, AdminClient client)
{
    public ParseResult ParseResult { get; } = parseResult;

    public Output Output { get; } = output;

    public AdminClient Client { get; } = client;

    public bool Json => ParseResult.GetValue(ClientOptions.Json);

    public static Output OutputFor(ParseResult parseResult) =>
        Output.ForConsole(parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error);
}
