using System.CommandLine;
using Slipway.ControlPlane.Hosting;
using Slipway.Edge.Hosting;
using Slipway.Install;

namespace Slipway.Cli;

/// <summary><c>slipway install</c>: makes this host run Slipway as a systemd service (docs/install.md).</summary>
internal static class InstallCommand
{
    public static readonly Option<string> Root = new("--root")
    {
        Description = "Install into DIR as if it were / (an image being prepared, a test); systemd is not asked to start anything.",
        HelpName = "DIR",
        DefaultValueFactory = _ => "/",
    };

    public static readonly Option<string> Home = new("--home")
    {
        Description = $"The Slipway home on the host (default {HostLayout.DefaultHome}); created 0700, owned by the user {HostLayout.UserName}.",
        HelpName = "DIR",
        DefaultValueFactory = _ => HostLayout.DefaultHome,
    };

    public static readonly Option<bool> DryRun = new("--dry-run") { Description = "Print what would be done, change nothing." };

    public static Command Create()
    {
        var http = new Option<string>("--http") { Description = "Public HTTP listener, HOST:PORT.", DefaultValueFactory = _ => new HostLayout().Http };
        var admin = new Option<string>("--admin") { Description = "Admin API listener, HOST:PORT.", DefaultValueFactory = _ => new HostLayout().Admin };
        var ports = new Option<string>("--ports") { Description = "Loopback port range for app generations.", DefaultValueFactory = _ => ControlPlaneOptions.DefaultPorts };
        var binary = new Option<string?>("--binary")
        {
            Description = "The self-contained slipway executable to install (default: this one, when it is a release binary).",
            HelpName = "PATH",
        };
        var command = new Command("install",
            $"Install Slipway as a systemd service (run as root): the system user {HostLayout.UserName}, the home, {HostLayout.DefaultBinary}, "
            + $"{HostLayout.ConfigPath}, {HostLayout.UnitPath}, enabled and started. Running it again changes only what differs.");
        command.Options.Add(Root);
        command.Options.Add(Home);
        command.Options.Add(http);
        command.Options.Add(admin);
        command.Options.Add(ports);
        command.Options.Add(binary);
        command.Options.Add(DryRun);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = CliContext.OutputFor(parseResult);
            var layout = new HostLayout
            {
                Root = parseResult.GetValue(Root)!,
                Home = parseResult.GetValue(Home)!,
                Http = parseResult.GetValue(http)!,
                Admin = parseResult.GetValue(admin)!,
                Ports = parseResult.GetValue(ports)!,
            };
            if (Validate(layout) is { } problem)
            {
                output.Error($"slipway install: {problem}");
                return ExitCodes.Usage;
            }

            var source = parseResult.GetValue(binary) ?? ReleaseBinary();
            if (source is null || !File.Exists(source))
            {
                output.Error(source is null
                    ? "slipway install: this slipway runs on the .NET runtime (a build or the dotnet tool); install copies a self-contained "
                      + "release binary. Pass --binary PATH (a slipway-VERSION-linux-x64 from build/release.sh)."
                    : $"slipway install: --binary {source}: no such file.");
                return ExitCodes.Usage;
            }

            return await RunAsync(output, Installer.Plan(layout, Path.GetFullPath(source)), layout, parseResult.GetValue(DryRun), "install");
        });
        return command;
    }

    public static async Task<int> RunAsync(Output output, IReadOnlyList<InstallStep> steps, HostLayout layout, bool dryRun, string verb)
    {
        if (!dryRun && !FileOwner.IsRoot)
        {
            output.Error($"slipway {verb}: run it as root (sudo slipway {verb} ...); --dry-run shows what it would do.");
            return ExitCodes.Usage;
        }

        output.Line($"slipway {verb}{(dryRun ? " (dry run: nothing is changed)" : "")}{(layout.IsHostRoot ? "" : $" into {Path.GetFullPath(layout.Root)}")}:");
        try
        {
            await StepRunner.RunAsync(steps, dryRun, output);
        }
        catch (Exception e) when (e is InstallException or IOException or UnauthorizedAccessException)
        {
            output.Error($"slipway {verb}: {e.Message}");
            return ExitCodes.Failed;
        }

        return ExitCodes.Ok;
    }

    /// <summary>The running executable when it is a self-contained single file (no slipway.dll beside it).</summary>
    private static string? ReleaseBinary() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) != "dotnet"
            && !File.Exists(Path.Combine(AppContext.BaseDirectory, "slipway.dll")) ? path : null;

    private static string? Validate(HostLayout layout)
    {
        if (!Path.IsPathFullyQualified(layout.Home))
        {
            return $"--home {layout.Home}: give an absolute path, e.g. {HostLayout.DefaultHome}.";
        }

        try
        {
            _ = new EdgeOptions { Home = layout.Home, Http = layout.Http, Admin = layout.Admin }.Validate();
            _ = Slipway.ControlPlane.Runtime.PortAllocator.Parse(layout.Ports);
        }
        catch (EdgeOptionsException e)
        {
            return e.Message;
        }
        catch (ArgumentException e)
        {
            return $"--ports {layout.Ports}: {e.Message}";
        }

        return null;
    }
}
