using System.CommandLine;
using Slipway.ControlPlane.Hosting;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Hosting;
using Slipway.Edge.Persistence;
using Slipway.Hosting;

namespace Slipway.Cli;

/// <summary><c>slipway up</c>: the edge plus the control plane, until Ctrl-C or SIGTERM.</summary>
internal static class UpCommand
{
    public static readonly Option<string?> Home = new("--home") { Description = "Slipway home directory (default: SLIPWAY_HOME, else ./.slipway)." };
    public static readonly Option<string?> Http = new("--http") { Description = $"Public HTTP listener, HOST:PORT (default: SLIPWAY_EDGE_HTTP, else {EdgeOptions.DefaultHttp})." };
    public static readonly Option<string?> Admin = new("--admin") { Description = $"Admin API listener, HOST:PORT (default: SLIPWAY_ADMIN, else {EdgeOptions.DefaultAdmin})." };
    public static readonly Option<string?> H2c = new("--h2c") { Description = "Also listen for HTTP/2 with prior knowledge (h2c: gRPC clients, a load balancer in front), HOST:PORT (default: SLIPWAY_EDGE_H2C, else none)." };
    public static readonly Option<string?> TrustedProxies = new("--trusted-proxies") { Description = "Peers whose X-Forwarded-*/X-Real-IP/Forwarded headers are kept, CIDR,... (default: SLIPWAY_TRUSTED_PROXIES, else none: they are replaced)." };
    public static readonly Option<string?> Ports = new("--ports") { Description = $"Loopback port range for app generations (default {ControlPlaneOptions.DefaultPorts})." };

    public static Command Create()
    {
        var command = new Command("up", "Run Slipway on this host: the edge (proxy and supervisor) and the control plane behind it.\nApps keep running when it stops and are re-adopted by the next `slipway up`.");
        AddOptions(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = CliContext.OutputFor(parseResult);
            var stack = await StartAsync(parseResult, output);
            if (stack is null)
            {
                return ExitCodes.Failed;
            }

            PrintReady(output, stack);
            var notify = stack.Edge.Options.Notify;
            var readiness = NotifyReadyAsync(output, stack, notify, cancellationToken);
            if (await WaitForStopAsync(stack, cancellationToken) is { } upgraded)
            {
                PrintHandedOver(output, upgraded);
                return ExitCodes.Ok;
            }

            await Task.WhenAny(readiness);
            notify?.Stopping("Stopping the control plane and the edge; apps keep running", out _);
            output.Note("slipway: stopping the control plane and the edge; apps keep running");
            await stack.StopAsync(stopApps: false);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static void AddOptions(Command command)
    {
        command.Options.Add(Home);
        command.Options.Add(Http);
        command.Options.Add(Admin);
        command.Options.Add(H2c);
        command.Options.Add(TrustedProxies);
        command.Options.Add(Ports);
        TlsOptions.Add(command);
    }

    public static EdgeOptions EdgeOptionsFrom(ParseResult parseResult) => TlsOptions.Apply(new EdgeOptions
    {
        Home = EdgeCommand.Pick(parseResult.GetValue(Home), "SLIPWAY_HOME", Path.Combine(Environment.CurrentDirectory, ".slipway")),
        Http = EdgeCommand.Pick(parseResult.GetValue(Http), "SLIPWAY_EDGE_HTTP", EdgeOptions.DefaultHttp),
        Admin = EdgeCommand.Pick(parseResult.GetValue(Admin), "SLIPWAY_ADMIN", EdgeOptions.DefaultAdmin),
        H2c = EdgeCommand.PickOptional(parseResult.GetValue(H2c), "SLIPWAY_EDGE_H2C"),
        TrustedProxies = EdgeCommand.PickOptional(parseResult.GetValue(TrustedProxies), "SLIPWAY_TRUSTED_PROXIES"),
        OutputRelay = RelayOutputCommand.SelfArguments(),
        Notify = SystemdNotify.FromEnvironment(),
    }, parseResult);

    private static async Task NotifyReadyAsync(Output output, SlipwayStack stack, SystemdNotify? notify, CancellationToken cancellationToken)
    {
        try
        {
            if (await ServiceManagerReadiness.NotifyWhenReadyAsync(stack, notify, cancellationToken) is { } line)
            {
                output.Line(line);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped before the control plane answered: nothing to report ready.
        }
    }

    /// <summary>Starts the stack, printing what went wrong (and returning null) when it cannot.</summary>
    public static async Task<SlipwayStack?> StartAsync(ParseResult parseResult, Output output)
    {
        var options = EdgeOptionsFrom(parseResult);
        try
        {
            return await SlipwayStack.StartAsync(options, parseResult.GetValue(Ports) ?? ControlPlaneOptions.DefaultPorts, CancellationToken.None);
        }
        catch (Exception e) when (e is EdgeOptionsException or EdgeStateCorruptException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            output.Error($"slipway: could not start: {e.Message}");
            return null;
        }
    }

    public static void PrintReady(Output output, SlipwayStack stack)
    {
        output.Success($"Slipway is up. Apps: {stack.HttpUrl}{(stack.Edge.HttpsEndpoint is { } https ? $" and https://{https}" : "")}  Admin API: {stack.AdminUrl}");
        if (stack.Edge.H2cEndpoint is { } h2c)
        {
            output.Line($"  HTTP/2 with prior knowledge (h2c): http://{h2c}");
        }

        output.Line($"  home: {stack.Edge.Options.FullHome} (admin token in admin.token, edge socket edge.sock)");
        output.Line("  Ctrl-C stops Slipway; apps keep running and are re-adopted next time.");
    }

    /// <summary>Until Ctrl-C or SIGTERM (null), or until `slipway edge upgrade` handed the edge to a new process.</summary>
    public static async Task<UpgradeResult?> WaitForStopAsync(SlipwayStack stack, CancellationToken cancellationToken)
    {
        var stop = Task.Delay(Timeout.Infinite, cancellationToken);
        await Task.WhenAny(stop, stack.Edge.HandedOver);
        return stack.Edge.HandedOver.IsCompletedSuccessfully ? await stack.Edge.HandedOver : null;
    }

    public static void PrintHandedOver(Output output, UpgradeResult upgraded)
    {
        output.Success($"slipway: the edge was upgraded; the new edge (pid {upgraded.Current.Pid}, version {upgraded.Current.Version}) "
            + "now serves, supervises the control plane and the apps, and keeps running after this process exits.");
        output.Line($"  its output: {upgraded.LogFile}; stop it with `kill {upgraded.Current.Pid}` (SIGTERM drains, apps keep running)");
    }
}
