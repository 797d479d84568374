using Slipway.Hosting;

namespace Slipway.Quickstart;

/// <summary>
/// The example <c>quickstart</c> deploys where <c>examples/hello</c> cannot be built: a release binary on a host
/// without the .NET SDK (or outside a clone). Its process is this very binary (<c>slipway example-hello</c>),
/// so it needs no toolchain, and it keeps the same probe contract as <c>examples/hello</c>.
/// </summary>
internal static class BuiltInExample
{
    public const string CommandName = "example-hello";

    /// <summary>Writes the example's source directory (just its slipway.yml) under the home and returns it.</summary>
    public static string Write(string home)
    {
        var directory = Path.Combine(home, "examples", "hello");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "slipway.yml"), $"""
            # Written by `slipway quickstart`: the built-in example, served by the slipway binary itself (no build step).
            app: hello
            runtime: process
            run: {"{"} command: "{SelfCommand.ShellLine(CommandName).Replace("\"", "\\\"", StringComparison.Ordinal)}" {"}"}
            routes: [ {"{"} host: hello.localhost, path: / {"}"} ]
            probes: {"{"} health: /healthz, ready: /ready, version: /version, interval: 500ms, timeout: 5s, passes: 2, deadline: 60s {"}"}
            drain: {"{"} timeout: 10s {"}"}
            stop_grace: 10s
            keep_releases: 5
            env: {"{"} GREETING: "Hello from Slipway" {"}"}

            """);
        return directory;
    }

    /// <summary>True when <c>dotnet</c> (needed to build examples/hello) is on PATH.</summary>
    public static bool SdkOnPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "dotnet")));
}
