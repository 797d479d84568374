using System.Text;

namespace Slipway.Cli;

/// <summary>Turns a directory name into a valid app name, <c>[a-z][a-z0-9-]{0,39}</c> (docs/architecture.md §8).</summary>
internal static class AppName
{
    public const int MaxLength = 40;

    public static string FromDirectory(string directoryName)
    {
        var text = new StringBuilder();
        foreach (var c in directoryName.ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                text.Append(c);
            }
            else if (text.Length > 0 && text[^1] != '-')
            {
                // Dots, underscores, spaces and anything else become a single dash.
                text.Append('-');
            }
        }

        var name = text.ToString().TrimStart('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9');
        if (name.Length > MaxLength)
        {
            name = name[..MaxLength];
        }

        name = name.Trim('-');
        return name.Length == 0 ? "app" : name;
    }
}
