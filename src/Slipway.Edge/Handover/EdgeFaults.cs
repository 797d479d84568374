namespace Slipway.Edge.Handover;

/// <summary>
/// Fault injection for tests of the edge upgrade: <c>SLIPWAY_EDGE_FAULT=takeover</c> makes a new edge exit
/// right after it received the listeners (before it reports ready); <c>SLIPWAY_EDGE_FAULT=serve</c> makes it
/// exit after the old edge froze its state, before it serves. Comma-separated points are allowed.
/// </summary>
internal static class EdgeFaults
{
    public const string Variable = "SLIPWAY_EDGE_FAULT";
    public const string Takeover = "takeover";
    public const string Serve = "serve";
    public const int ExitCode = 70;

    public static void Hit(string point)
    {
        var armed = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(armed) || !armed.Split(',', StringSplitOptions.TrimEntries).Contains(point, StringComparer.Ordinal))
        {
            return;
        }

        Console.Error.WriteLine($"slipway edge: fault injected at '{point}' ({Variable}); exiting with code {ExitCode}");
        Environment.Exit(ExitCode);
    }
}
