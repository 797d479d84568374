namespace Slipway.FunctionalTests.Install;

/// <summary>
/// Installing needs root and systemd's tools (systemd-sysusers, systemctl, systemd-analyze), though not a running
/// systemd. Without them the tests skip with the reason, unless <c>SLIPWAY_REQUIRE_SYSTEMD=1</c> (set by
/// <c>.ci/run</c>), where they fail instead.
/// </summary>
internal static class SystemdRequirement
{
    public static void Require() => Fail(Missing());

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
