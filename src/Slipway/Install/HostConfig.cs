using System.Text;

namespace Slipway.Install;

/// <summary>
/// <c>/etc/slipway/slipway.env</c>: <c>KEY=VALUE</c> lines that the unit loads (<c>EnvironmentFile=</c>) and that the
/// CLI reads when neither a flag nor the environment says where the admin API and the token are. It holds
/// addresses and paths only, never the token (that stays in the 0700 home), so it is world-readable.
/// </summary>
internal static class HostConfig
{
    /// <summary>Overrides <see cref="HostLayout.ConfigPath"/> for the CLI (tests, several installs on one host).</summary>
    public const string PathVariable = "SLIPWAY_CONFIG";

    public static string Render(HostLayout layout)
    {
        var text = new StringBuilder();
        text.Append("# Written by `slipway install`; read by slipway.service and by the slipway CLI on this host.\n");
        text.Append("# Change a listener with `slipway install --http/--admin ...` again, then `systemctl restart slipway`.\n");
        text.Append($"SLIPWAY_HOME={layout.Home}\n");
        text.Append($"SLIPWAY_EDGE_HTTP={layout.Http}\n");
        text.Append($"SLIPWAY_ADMIN={layout.Admin}\n");
        text.Append($"SLIPWAY_PORTS={layout.Ports}\n");
        text.Append($"SLIPWAY_URL={layout.AdminUrl}\n");
        return text.ToString();
    }

    /// <summary>The settings of the host config, empty when there is none (or it cannot be read).</summary>
    public static IReadOnlyDictionary<string, string> Read(Func<string, string?> environment)
    {
        var path = environment(PathVariable) is { Length: > 0 } overridden ? overridden : HostLayout.ConfigPath;
        try
        {
            return File.Exists(path) ? Parse(File.ReadAllLines(path)) : new Dictionary<string, string>();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new Dictionary<string, string>();
        }
    }

    public static Dictionary<string, string> Parse(IEnumerable<string> lines)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            var equals = line.IndexOf('=');
            if (line.Length == 0 || line[0] == '#' || equals <= 0)
            {
                continue;
            }

            values[line[..equals].Trim()] = line[(equals + 1)..].Trim().Trim('"');
        }

        return values;
    }
}
