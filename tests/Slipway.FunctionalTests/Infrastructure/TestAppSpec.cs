using System.Text;

namespace Slipway.FunctionalTests.Infrastructure;

/// <summary>
/// A <c>slipway.yml</c> for the sample app (tests/Slipway.TestApp) with fast probes, so a deploy takes seconds.
/// Its knobs (<c>TESTAPP_FAIL_HEALTH</c>, <c>TESTAPP_EXIT_AT_START</c>, <c>TESTAPP_WRONG_DIGEST</c>) go in <see cref="Env"/>.
/// </summary>
internal sealed record TestAppSpec
{
    public required string App { get; init; }

    /// <summary>The route's host; requests through the edge send it as <c>Host:</c>.</summary>
    public string Host => $"{App}.test";

    /// <summary>Build steps as (name, shell command).</summary>
    public IReadOnlyList<(string Name, string Run)> Build { get; init; } = [("check", "true")];

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public string Deadline { get; init; } = "10s";

    public int KeepReleases { get; init; } = 5;

    /// <summary>A git source (<c>source: { git: ..., branch: ... }</c>); null deploys with <c>from</c> only.</summary>
    public (string Git, string Branch)? Source { get; init; }

    public string ToYaml()
    {
        var yaml = new StringBuilder().AppendLine($"app: {App}");
        if (Source is { } source)
        {
            yaml.AppendLine($"source: {{ git: {Quote(source.Git)}, branch: {source.Branch} }}");
        }

        yaml.AppendLine(Build.Count == 0 ? "build: []" : "build:");
        foreach (var (name, run) in Build)
        {
            yaml.AppendLine($"  - {{ name: {name}, run: {Quote(run)} }}");
        }

        yaml.AppendLine($"run: {{ command: {Quote("dotnet " + RepoPaths.TestAppDll)} }}")
            .AppendLine($"routes: [ {{ host: {Host}, path: / }} ]")
            .AppendLine($"probes: {{ interval: 200ms, timeout: 2s, passes: 2, deadline: {Deadline} }}")
            .AppendLine("drain: { timeout: 5s }")
            .AppendLine("stop_grace: 5s")
            .AppendLine($"keep_releases: {KeepReleases}");
        if (Env.Count > 0)
        {
            yaml.AppendLine("env:");
            foreach (var (name, value) in Env)
            {
                yaml.AppendLine($"  {name}: {Quote(value)}");
            }
        }

        return yaml.ToString();
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
