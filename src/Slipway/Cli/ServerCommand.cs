using System.CommandLine;
using Slipway.ControlPlane.Hosting;

namespace Slipway.Cli;

/// <summary>
/// <c>slipway server</c>: runs the control plane alone against a running edge's control socket. This is
/// what <c>slipway up</c> starts as the supervised app <c>slipway</c>; tests and advanced setups run it directly.
/// </summary>
internal static class ServerCommand
{
    public static Command Create()
    {
        var home = new Option<string?>("--home") { Description = "Slipway home directory (default: SLIPWAY_HOME, else ./.slipway)." };
        var listen = new Option<string?>("--listen") { Description = $"Admin API address, HOST:PORT (default {ControlPlaneOptions.DefaultListen})." };
        var edgeSocket = new Option<string?>("--edge-socket") { Description = "The edge's control socket (default HOME/edge.sock)." };
        var ports = new Option<string?>("--ports") { Description = $"Loopback port range for app generations (default {ControlPlaneOptions.DefaultPorts})." };
        var command = new Command("server", "Run the control plane (admin API, deploy pipeline) against a running edge.");
        command.Options.Add(home);
        command.Options.Add(listen);
        command.Options.Add(edgeSocket);
        command.Options.Add(ports);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            ControlPlaneHost host;
            try
            {
                var defaults = new ControlPlaneOptions { Home = "." };
                var options = new ControlPlaneOptions
                {
                    Home = EdgeCommand.Pick(parseResult.GetValue(home), "SLIPWAY_HOME", Path.Combine(Environment.CurrentDirectory, ".slipway")),
                    Listen = parseResult.GetValue(listen) ?? ControlPlaneOptions.DefaultListen,
                    EdgeSocket = parseResult.GetValue(edgeSocket),
                    Ports = parseResult.GetValue(ports) ?? ControlPlaneOptions.DefaultPorts,
                    // Tuning for tests and unusual hosts; the defaults suit a normal machine.
                    LeaseDuration = EnvDuration("SLIPWAY_LEASE_DURATION", defaults.LeaseDuration),
                    ReconcileInterval = EnvDuration("SLIPWAY_RECONCILE_INTERVAL", defaults.ReconcileInterval),
                    HealthRollbackAfter = EnvDuration("SLIPWAY_HEALTH_ROLLBACK_AFTER", defaults.HealthRollbackAfter),
                    SelfHandoffCeiling = EnvDuration("SLIPWAY_SELF_HANDOFF_CEILING", defaults.SelfHandoffCeiling),
                    EdgeSampleInterval = EnvDuration("SLIPWAY_EDGE_SAMPLE_INTERVAL", defaults.EdgeSampleInterval),
                    SwarmManager = Environment.GetEnvironmentVariable("SLIPWAY_SWARM_MANAGER"),
                    SwarmRegistry = Environment.GetEnvironmentVariable("SLIPWAY_SWARM_REGISTRY"),
                };
                host = await ControlPlaneHost.StartAsync(options, CancellationToken.None);
            }
            catch (ArgumentException e)
            {
                await error.WriteLineAsync($"slipway server: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (Exception e) when (e is ControlPlane.Store.StoreException or IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"slipway server: {e.Message}");
                return ExitCodes.Failed;
            }

            await using (host)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // SIGTERM or Ctrl-C: finish in-flight API calls, then exit.
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static TimeSpan EnvDuration(string name, TimeSpan fallback)
    {
        var text = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return ControlPlane.Spec.Duration.TryParse(text, out var value, out var problem) && value > TimeSpan.Zero
            ? value
            : throw new ArgumentException($"{name}='{text}' is not a duration ({problem}): use e.g. 500ms, 5s or 1m.");
    }
}
