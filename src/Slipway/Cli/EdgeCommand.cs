using System.CommandLine;
using Slipway.Edge.Hosting;
using Slipway.Edge.Persistence;

namespace Slipway.Cli;

/// <summary>
/// <c>slipway edge</c>: runs the edge alone until SIGTERM or Ctrl-C, then drains and exits 0. Supervised
/// processes keep running and are re-adopted by the next edge.
/// </summary>
internal static class EdgeCommand
{
    public const int ExitUsage = 2;
    public const int ExitFailure = 1;

    public static Command Create()
    {
        var http = new Option<string?>("--http")
        {
            Description = $"Public HTTP listener, HOST:PORT (default: SLIPWAY_EDGE_HTTP, else {EdgeOptions.DefaultHttp}).",
        };
        var admin = new Option<string?>("--admin")
        {
            Description = $"Admin listener forwarding to the control plane, HOST:PORT (default: SLIPWAY_ADMIN, else {EdgeOptions.DefaultAdmin}).",
        };
        var h2c = new Option<string?>("--h2c")
        {
            Description = "Also listen for HTTP/2 with prior knowledge (h2c: gRPC clients, a load balancer in front), HOST:PORT (default: SLIPWAY_EDGE_H2C, else none).",
        };
        var trustedProxies = new Option<string?>("--trusted-proxies")
        {
            Description = "Peers whose X-Forwarded-*/X-Real-IP/Forwarded headers are kept, CIDR,... (default: SLIPWAY_TRUSTED_PROXIES, else none: they are replaced).",
        };
        var home = new Option<string?>("--home")
        {
            Description = "Slipway home directory (default: SLIPWAY_HOME, else ./.slipway).",
        };
        var takeover = new Option<string?>("--takeover")
        {
            Description = "Internal: take over the listeners and processes of the running edge (started by `slipway edge upgrade`).",
            Hidden = true,
        };
        var command = new Command("edge", "Run the edge: reverse proxy, process supervisor and control socket.");
        command.Options.Add(http);
        command.Options.Add(admin);
        command.Options.Add(h2c);
        command.Options.Add(trustedProxies);
        command.Options.Add(home);
        command.Options.Add(takeover);
        TlsOptions.Add(command);
        command.Subcommands.Add(EdgeUpgradeCommand.Create());
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            TlsOptions.Apply(new EdgeOptions
            {
                Home = Pick(parseResult.GetValue(home), "SLIPWAY_HOME", Path.Combine(Environment.CurrentDirectory, ".slipway")),
                Http = Pick(parseResult.GetValue(http), "SLIPWAY_EDGE_HTTP", EdgeOptions.DefaultHttp),
                Admin = Pick(parseResult.GetValue(admin), "SLIPWAY_ADMIN", EdgeOptions.DefaultAdmin),
                H2c = PickOptional(parseResult.GetValue(h2c), "SLIPWAY_EDGE_H2C"),
                TrustedProxies = PickOptional(parseResult.GetValue(trustedProxies), "SLIPWAY_TRUSTED_PROXIES"),
                OutputRelay = RelayOutputCommand.SelfArguments(),
                Notify = SystemdNotify.FromEnvironment(),
            }, parseResult),
            parseResult.GetValue(takeover),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(EdgeOptions options, string? takeover, TextWriter output, TextWriter error, CancellationToken stopping)
    {
        EdgeHost host;
        try
        {
            host = takeover is null
                ? await EdgeHost.StartAsync(options, CancellationToken.None)
                : await EdgeHost.TakeOverAsync(options, takeover, CancellationToken.None);
        }
        catch (EdgeOptionsException ex)
        {
            await error.WriteLineAsync($"slipway edge: {ex.Message}");
            return ExitUsage;
        }
        catch (EdgeStateCorruptException ex)
        {
            await error.WriteLineAsync($"slipway edge: {ex.Message}");
            return ExitFailure;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException
            or TimeoutException or System.Net.Sockets.SocketException)
        {
            await error.WriteLineAsync($"slipway edge: could not {(takeover is null ? "start" : "take over")}: {ex.Message}");
            return ExitFailure;
        }

        if (takeover is null && options.Notify is { } notify && !notify.Ready($"Edge serving on http://{host.HttpEndpoint}", out var notifyError))
        {
            // A new edge of an upgrade is announced by the edge it replaces (MAINPID=), not by itself.
            await error.WriteLineAsync($"slipway edge: could not notify the service manager: {notifyError}");
        }

        var stopped = Task.Delay(Timeout.Infinite, stopping);
        if (await Task.WhenAny(stopped, host.HandedOver) == host.HandedOver)
        {
            var handover = await host.HandedOver;
            await output.WriteLineAsync(
                $"slipway edge: handed over to the new edge (pid {handover.Current.Pid}, version {handover.Current.Version}, log {handover.LogFile}); exiting");
            return 0;
        }

        // SIGTERM or Ctrl-C.
        await host.StopAsync(stopProcesses: false, CancellationToken.None);
        return 0;
    }

    internal static string? PickOptional(string? option, string variable) =>
        !string.IsNullOrEmpty(option) ? option
        : Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : null;

    internal static string Pick(string? option, string variable, string fallback) => PickOptional(option, variable) ?? fallback;
}
