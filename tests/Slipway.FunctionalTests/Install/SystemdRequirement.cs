namespace Slipway.FunctionalTests.Install;

/// <summary>
/// Installing needs root and systemd's tools (systemd-sysusers, systemctl, systemd-analyze), though not a running
/// systemd. Without them the tests skip with the reason, unless <c>SLIPWAY_REQUIRE_SYSTEMD=1</c> (set by
/// <c>.ci/run</c>), where they fail instead.
/// </summary>
internal static class SystemdRequirement
{
    public static void Require() => Fail(Missing());

    /// <summary>
    /// Booting systemd as PID 1 of new namespaces (<see cref="SystemdBootTests"/>) needs, besides root, systemd
    /// itself, util-linux's <c>unshare</c>/<c>nsenter</c>, <c>pgrep</c>, <c>curl</c> and a writable cgroup2 hierarchy.
    /// </summary>
    public static void RequireBootable() => Fail(Missing() ?? MissingForBoot());

    private static string? MissingForBoot()
    {
        if (!File.Exists("/lib/systemd/systemd") && !File.Exists("/usr/lib/systemd/systemd"))
        {
            return "/lib/systemd/systemd is not installed (apt-get install systemd)";
        }

        if (new[] { "unshare", "nsenter", "pgrep", "curl", "timeout" }.FirstOrDefault(tool => !OnPath(tool)) is { } tool)
        {
            return $"{tool} is not installed (apt-get install util-linux procps curl coreutils)";
        }

        return CgroupRoot() is null ? "no writable cgroup2 hierarchy at /sys/fs/cgroup/unified or /sys/fs/cgroup" : null;
    }

    /// <summary>Where under-systemd.sh makes its cgroup: the cgroup2 hierarchy (hybrid hosts mount it at unified/).</summary>
    public static string? CgroupRoot() =>
        new[] { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" }.FirstOrDefault(dir => File.Exists(Path.Combine(dir, "cgroup.procs")) && File.Exists(Path.Combine(dir, "cgroup.subtree_control")));

    private static string? Missing()
    {
        string? missing = null;
        if (Environment.UserName != "root")
        {
            missing = "installing needs root (a system user, file owners)";
        }
        else if (new[] { "systemd-sysusers", "systemctl", "systemd-analyze" }.FirstOrDefault(tool => !OnPath(tool)) is { } tool)
        {
            missing = $"{tool} is not installed (apt-get install systemd)";
        }

        return missing;
    }

    private static void Fail(string? missing)
    {
        if (missing is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("SLIPWAY_REQUIRE_SYSTEMD") == "1")
        {
            throw new InvalidOperationException($"SLIPWAY_REQUIRE_SYSTEMD=1 but {missing}.");
        }

        Skip.If(true, missing);
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, tool)));
}
