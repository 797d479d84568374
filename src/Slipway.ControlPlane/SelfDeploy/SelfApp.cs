using System.Globalization;
using Slipway.ControlPlane.Hosting;

namespace Slipway.ControlPlane.SelfDeploy;

/// <summary>
/// The control plane as the app <c>slipway</c> (docs/architecture.md §7): its embedded default spec, written for the user from the
/// running instance's own settings, so that the candidate runs with the same home, edge socket and port range.
/// </summary>
internal static class SelfApp
{
    public const string Name = "slipway";

    public const string Env = "prod";

    /// <summary>The edge service the admin listener forwards to (<c>EdgeHost.AdminService</c>).</summary>
    public const string AdminService = "slipway";

    /// <summary>Set only in a candidate's environment: the self deployment that started it.</summary>
    public const string DeploymentVariable = "SLIPWAY_SELF_DEPLOYMENT";

    public static string DefaultSpecYaml(ControlPlaneOptions options, string? git, string? branch)
    {
        var dotnet = DotnetHost();
        var source = git is null ? "" : $"source: {{ git: {Yaml(git)}, branch: {Yaml(branch ?? "main")} }}\n";
        var run = $"{Shell(dotnet)} out/slipway.dll server --home {Shell(options.FullHome)} --listen 127.0.0.1:$PORT " +
                  $"--edge-socket {Shell(options.EdgeSocketPath)} --ports {Shell(options.Ports)}";
        var publish = Shell(dotnet) + " publish src/Slipway -c Release -o out --nologo -v q";
        return $$"""
            # Embedded default spec of the control plane itself (written by `slipway self-deploy`; see docs/self-deploy.md).
            app: {{Name}}
            {{source}}build:
              - { name: publish, run: {{Yaml(publish)}}, timeout: 15m }
            runtime: process
            run: { command: {{Yaml(run)}} }
            probes: { health: /healthz, ready: /readyz, version: /version, interval: 500ms, timeout: 5s, passes: 2, deadline: 90s }
            stop_grace: 30s
            rollback_window: 0s
            keep_releases: 4

            """;
    }

    /// <summary>The <c>dotnet</c> host running this process, so the candidate uses the same runtime.</summary>
    private static string DotnetHost()
    {
        var process = Environment.ProcessPath;
        return process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : "dotnet";
    }

    private static string Yaml(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    internal static string Shell(string text) =>
        text.All(c => char.IsAsciiLetterOrDigit(c) || "/._-:".Contains(c, StringComparison.Ordinal))
            ? text
            : "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public static string Ms(TimeSpan span) => ((long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
}
