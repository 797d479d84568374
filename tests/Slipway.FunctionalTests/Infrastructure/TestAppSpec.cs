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

    /// <summary>
    /// <c>environments: [test, prod]</c> with test routed at <see cref="TestHost"/> (the top-level route is prod's);
    /// false keeps the default single <c>prod</c>.
    /// </summary>
    public bool TestAndProd { get; init; }

    /// <summary>The host of the <c>test</c> environment's route when <see cref="TestAndProd"/>.</summary>
    public string TestHost => $"{App}-test.test";

    /// <summary><c>auto</c> or <c>manual</c>; null leaves the spec's default.</summary>
    public string? Promote { get; init; }

    /// <summary>The <c>migrate</c> command; null for none.</summary>
    public string? Migrate { get; init; }

    /// <summary>Names listed under <c>secrets:</c> (values are set through the API or CLI).</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>A git source (<c>source: { git: ..., branch: ... }</c>); null deploys with <c>from</c> only.</summary>
    public (string Git, string Branch)? Source { get; init; }

    /// <summary>The <c>rollout:</c> value as written in YAML (e.g. <c>{ steps: [10%], pause: 5s }</c>); null for a full swap.</summary>
    public string? Rollout { get; init; }

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
        if (TestAndProd)
        {
            yaml.AppendLine($"environments: [ {{ name: test, routes: [ {{ host: {TestHost} }} ] }}, prod ]");
        }

        if (Rollout is not null)
        {
            yaml.AppendLine($"rollout: {Rollout}");
        }

        if (Promote is not null)
        {
            yaml.AppendLine($"promote: {Promote}");
        }

        if (Migrate is not null)
        {
            yaml.AppendLine($"migrate: {Quote(Migrate)}");
        }

        if (Secrets.Count > 0)
        {
            yaml.AppendLine($"secrets: [ {string.Join(", ", Secrets)} ]");
        }

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
