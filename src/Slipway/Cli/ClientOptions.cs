using System.CommandLine;

namespace Slipway.Cli;

/// <summary>
/// <c>--url</c> and <c>--home</c>, added to each command that talks to the admin API. They are not recursive
/// root options because <c>up</c>, <c>edge</c> and <c>quickstart</c> define their own <c>--home</c>.
/// </summary>
internal static class ClientOptions
{
    public static readonly Option<string?> Url = new("--url")
    {
        Description = "Admin API address. Default: $SLIPWAY_URL, else http://127.0.0.1:7070.",
        HelpName = "URL",
    };

    public static readonly Option<string?> Home = new("--home")
    {
        Description = "Slipway home directory, where the admin token file is read. Default: $SLIPWAY_HOME, else ./.slipway.",
        HelpName = "DIR",
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print the raw JSON answer and nothing else on stdout.",
    };
}
