using System.CommandLine;
using System.Globalization;
using System.Net.Http;
using System.Net.Sockets;
using Slipway.Edge.Control;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Hosting;
using Slipway.Hosting;

namespace Slipway.Cli;

/// <summary>
/// <c>slipway edge upgrade</c>: asks the running edge (over <c>HOME/edge.sock</c>) to hand its listening sockets
/// and supervised processes to a new edge process, waits until the new edge serves and the old one exited.
/// </summary>
internal static class EdgeUpgradeCommand
{
    private static readonly TimeSpan ExitSlack = TimeSpan.FromSeconds(15);

    public static Command Create()
    {
        var home = new Option<string?>("--home") { Description = "Slipway home directory (default: SLIPWAY_HOME, else the installed home from /etc/slipway/slipway.env, else ./.slipway)." };
        var binary = new Option<string?>("--binary")
        {
            Description = "The slipway executable (or slipway.dll) the new edge runs (default: the one running this command).",
        };
        var timeout = new Option<int>("--timeout")
        {
            Description = "Seconds the new edge may take to start and take over before the old edge gives up and keeps serving.",
            DefaultValueFactory = _ => 30,
        };
        var command = new Command("upgrade",
            "Replace the running edge with a new edge process without dropping a request: the new edge takes over the "
            + "listening sockets and the supervised processes; the old one drains and exits. If the new edge fails, the old one keeps serving.");
        command.Options.Add(home);
        command.Options.Add(binary);
        command.Options.Add(timeout);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var output = CliContext.OutputFor(parseResult);
            // On an installed host the home is the one in the host config, as for the client commands.
            var homeDirectory = EdgeCommand.Pick(parseResult.GetValue(home), "SLIPWAY_HOME",
                Slipway.Install.HostConfig.Read(Environment.GetEnvironmentVariable).GetValueOrDefault("SLIPWAY_HOME") ?? Path.Combine(Environment.CurrentDirectory, ".slipway"));
            return RunAsync(output, new EdgeOptions { Home = homeDirectory }, parseResult.GetValue(binary), parseResult.GetValue(timeout), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(Output output, EdgeOptions options, string? binary, int timeoutSeconds, CancellationToken cancellationToken)
    {
        if (timeoutSeconds is < 1 or > 600)
        {
            output.Error("slipway edge upgrade: --timeout must be between 1 and 600 seconds.");
            return ExitCodes.Usage;
        }

        IReadOnlyList<string> program;
        if (binary is null)
        {
            program = SelfCommand.Arguments();
        }
        else
        {
            var path = Path.GetFullPath(binary);
            if (!File.Exists(path))
            {
                output.Error($"slipway edge upgrade: --binary {binary}: no such file.");
                return ExitCodes.Usage;
            }

            program = path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? [DotnetHost(), path] : [path];
        }

        var socket = options.ControlSocketPath;
        using var client = new EdgeControlClient(socket);
        EdgeVersion old;
        try
        {
            old = await client.GetVersionAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException)
        {
            output.Error($"slipway edge upgrade: no edge answers on {socket} ({ex.Message}). Is `slipway up` or `slipway edge` running with this home?");
            return ExitCodes.Unreachable;
        }

        output.Step($"Upgrading the edge (pid {old.Pid}, version {old.Version}) at {socket}");
        output.Line($"  new edge runs: {string.Join(' ', program)}");
        UpgradeResult result;
        try
        {
            result = await client.UpgradeAsync(new UpgradeRequest { Command = program, TimeoutMs = timeoutSeconds * 1000 }, cancellationToken);
        }
        catch (EdgeControlException ex)
        {
            output.Failure($"slipway edge upgrade: {ex.Error.Error}");
            return ex.Error.Field is null ? ExitCodes.Failed : ExitCodes.Usage;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            output.Failure($"slipway edge upgrade: lost the edge while it upgraded ({ex.Message}); check `slipway doctor` and {EdgeHost.UpgradeLogFile(options)}.");
            return ExitCodes.Failed;
        }

        output.Success($"New edge serving: pid {result.Current.Pid}, version {result.Current.Version}; its output goes to {result.LogFile}");
        output.Line($"  old edge (pid {result.Previous.Pid}) stopped accepting and drains in-flight requests (up to {result.DrainTimeoutMs / 1000.0:0.#} s)");
        var exitDeadline = DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(result.DrainTimeoutMs) + ExitSlack;
        while (IsAlive(result.Previous.Pid) && DateTimeOffset.UtcNow < exitDeadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        if (IsAlive(result.Previous.Pid))
        {
            output.Warning($"The old edge (pid {result.Previous.Pid}) has not exited yet; the new edge serves regardless.");
        }
        else
        {
            output.Line($"  old edge (pid {result.Previous.Pid}) exited");
        }

        var now = await client.GetVersionAsync(cancellationToken);
        if (now.Pid != result.Current.Pid)
        {
            output.Failure($"slipway edge upgrade: {socket} is answered by pid {now.Pid}, not by the new edge (pid {result.Current.Pid}).");
            return ExitCodes.Failed;
        }

        output.Line($"  {socket} is answered by the new edge (pid {now.Pid.ToString(CultureInfo.InvariantCulture)})");
        return ExitCodes.Ok;
    }

    /// <summary>A pid that exists and is not a zombie waiting for its parent.</summary>
    private static bool IsAlive(int pid) => Slipway.Edge.Supervision.SupervisedProcess.IsSameProcess(pid, null);

    private static string DotnetHost() =>
        Environment.ProcessPath is { } process && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : "/usr/bin/dotnet";
}
