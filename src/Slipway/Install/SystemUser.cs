namespace Slipway.Install;

/// <summary>The system user Slipway runs as, created with systemd-sysusers (idempotent, and <c>--root</c> aware).</summary>
internal static class SystemUser
{
    /// <summary>The uid and gid of <paramref name="name"/> in the root's <c>/etc/passwd</c>, or null when it has none.</summary>
    public static (int Uid, int Gid)? Find(HostLayout layout, string name)
    {
        var passwd = layout.OnDisk("/etc/passwd");
        if (!File.Exists(passwd))
        {
            return null;
        }

        foreach (var line in File.ReadLines(passwd))
        {
            var fields = line.Split(':');
            if (fields.Length >= 4 && fields[0] == name && int.TryParse(fields[2], out var uid) && int.TryParse(fields[3], out var gid))
            {
                return (uid, gid);
            }
        }

        return null;
    }

    public static async Task CreateAsync(HostLayout layout)
    {
        Directory.CreateDirectory(layout.OnDisk("/etc"));
        var arguments = new List<string>();
        if (!layout.IsHostRoot)
        {
            arguments.Add($"--root={Path.GetFullPath(layout.Root)}");
        }

        arguments.Add("--inline");
        arguments.Add($"u {HostLayout.UserName} - \"Slipway\" {layout.Home} /usr/sbin/nologin");
        await HostCommand.RunAsync("systemd-sysusers", arguments);
    }

    public static async Task RemoveAsync(HostLayout layout)
    {
        var prefix = layout.IsHostRoot ? [] : new[] { "--prefix", Path.GetFullPath(layout.Root) };
        await HostCommand.RunAsync("userdel", [.. prefix, HostLayout.UserName]);
        if (File.ReadLines(layout.OnDisk("/etc/group")).Any(l => l.StartsWith(HostLayout.UserName + ":", StringComparison.Ordinal)))
        {
            await HostCommand.RunAsync("groupdel", [.. prefix, HostLayout.UserName]);
        }
    }
}
