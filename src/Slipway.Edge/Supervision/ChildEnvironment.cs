using System.Collections;

namespace Slipway.Edge.Supervision;

/// <summary>
/// The environment every child Slipway starts (apps, build and migrate steps, git) begins from: cleared, then only
/// the variables of <see cref="Inherited"/> copied from Slipway's own environment. Slipway's own environment can
/// hold <c>SLIPWAY_MASTER_KEY</c>, <c>SLIPWAY_TOKEN</c>, cloud credentials and whatever the service manager set;
/// none of it reaches an app unless the app's spec names it in <c>env</c> or <c>secrets</c>.
/// </summary>
public static class ChildEnvironment
{
    /// <summary>
    /// What a program needs to run like it would from a login shell, and nothing that grants anything: where
    /// programs are (<c>PATH</c>), whose home and name (<c>HOME</c>, <c>USER</c>, <c>LOGNAME</c>), language and
    /// time zone (<c>LANG</c>, <c>LANGUAGE</c>, <c>LC_*</c>, <c>TZ</c>), where temporary files go (<c>TMPDIR</c>), and
    /// the .NET host's settings (<c>DOTNET_*</c>, so framework-dependent apps and builds start) and NuGet's package
    /// folder (<c>NUGET_PACKAGES</c>). docs/security.md lists them.
    /// </summary>
    public static readonly IReadOnlyList<string> Inherited =
        ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "LC_*", "TZ", "TMPDIR", "DOTNET_*", "NUGET_PACKAGES"];

    /// <summary>
    /// For Slipway's own processes only (the control plane it runs, the candidate of a self-deploy): its
    /// configuration (<c>SLIPWAY_*</c>, the master key among them) and the Docker endpoint.
    /// </summary>
    public static readonly IReadOnlyList<string> SlipwayOwn = ["SLIPWAY_*", "DOCKER_HOST"];

    /// <summary>The allow-listed part of <paramref name="environment"/> (this process's environment by default).</summary>
    public static Dictionary<string, string> Base(bool slipwayOwn = false, IDictionary? environment = null)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var patterns = slipwayOwn ? Inherited.Concat(SlipwayOwn).ToList() : Inherited;
        foreach (DictionaryEntry entry in environment ?? System.Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value && patterns.Any(p => Matches(p, name)))
            {
                result[name] = value;
            }
        }

        return result;
    }

    /// <summary>Replaces what <paramref name="target"/> holds (a ProcessStartInfo's environment) with <paramref name="values"/>.</summary>
    public static void Apply(IDictionary<string, string?> target, IEnumerable<KeyValuePair<string, string>> values)
    {
        target.Clear();
        foreach (var (name, value) in values)
        {
            target[name] = value;
        }
    }

    private static bool Matches(string pattern, string name) =>
        pattern.EndsWith('*') ? name.StartsWith(pattern[..^1], StringComparison.Ordinal) : name == pattern;
}
