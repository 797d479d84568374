namespace Slipway.Install;

/// <summary>
/// Where an installed Slipway lives on a host (docs/install.md). Paths are as the host sees them; with
/// <see cref="Root"/> set (<c>--root DIR</c>) every file is written under that directory instead, as for an
/// image being prepared, while the unit and the config still name the host paths.
/// </summary>
internal sealed record HostLayout
{
    public const string DefaultHome = "/var/lib/slipway";
    public const string DefaultBinary = "/usr/local/bin/slipway";
    public const string UnitName = "slipway.service";
    public const string UnitPath = "/etc/systemd/system/" + UnitName;
    public const string WantedByPath = "/etc/systemd/system/multi-user.target.wants/" + UnitName;

    /// <summary>The file the unit reads its settings from and the CLI finds the admin API through.</summary>
    public const string ConfigPath = "/etc/slipway/slipway.env";

    public const string UserName = "slipway";

    /// <summary>"/" for the running host.</summary>
    public string Root { get; init; } = "/";

    public string Home { get; init; } = DefaultHome;

    public string Binary { get; init; } = DefaultBinary;

    public string Http { get; init; } = "0.0.0.0:80";

    public string Admin { get; init; } = "127.0.0.1:7070";

    public string Ports { get; init; } = "20000-20999";

    public bool IsHostRoot => Path.GetFullPath(Root) == "/";

    /// <summary>The admin URL the CLI on the host uses (the admin listener's address; a wildcard is reached on loopback).</summary>
    public string AdminUrl
    {
        get
        {
            var colon = Admin.LastIndexOf(':');
            var host = Admin[..colon].Trim('[', ']');
            host = host is "0.0.0.0" or "" ? "127.0.0.1" : host is "::" ? "[::1]" : host.Contains(':') ? $"[{host}]" : host;
            return $"http://{host}:{Admin[(colon + 1)..]}";
        }
    }

    /// <summary>Where the host path <paramref name="hostPath"/> is written.</summary>
    public string OnDisk(string hostPath) => IsHostRoot ? hostPath : Path.Join(Path.GetFullPath(Root), hostPath);
}
