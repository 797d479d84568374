using System.CommandLine;
using Slipway.ControlPlane.Api.Contracts;

namespace Slipway.Cli;

/// <summary><c>slipway status [APP]</c>: what runs where, one row per app and environment.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var app = new Argument<string?>("app") { Description = "Only this app. Default: every registered app.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("status", "Show each app's environments: current generation, release, revision, edge health and process state.");
        command.Arguments.Add(app);
        ClientCommand.SetAction(command, async (context, cancellationToken) =>
        {
            IReadOnlyList<AppView> apps = context.ParseResult.GetValue(app) is { } name
                ? [await context.Client.GetAppAsync(name, cancellationToken)]
                : await context.Client.ListAppsAsync(cancellationToken);
            if (context.Json)
            {
                context.Output.Json(apps);
                return ExitCodes.Ok;
            }

            if (apps.Count == 0)
            {
                context.Output.Line("no apps registered; add one with `slipway apps add slipway.yml`");
                return ExitCodes.Ok;
            }

            context.Output.Table(["APP", "ENV", "GEN", "RELEASE", "REVISION", "HEALTH", "PROCESS", "RESTARTS"], Rows(apps));
            await CertificatesAsync(context.Output, cancellationToken);
            return ExitCodes.Ok;
        }, json: true);
        return command;
    }

    /// <summary>
    /// The certificates of the edge on this host's home (SLIPWAY_HOME, else ./.slipway), when one answers there;
    /// the admin API may be remote, so nothing is printed without a local edge.
    /// </summary>
    private static async Task CertificatesAsync(Output output, CancellationToken cancellationToken)
    {
        var home = EdgeCommand.Pick(null, "SLIPWAY_HOME", Path.Combine(Environment.CurrentDirectory, ".slipway"));
        var socket = new Slipway.Edge.Hosting.EdgeOptions { Home = home }.ControlSocketPath;
        if (!File.Exists(socket))
        {
            return;
        }

        using var client = new Slipway.Edge.Control.EdgeControlClient(socket, TimeSpan.FromSeconds(5));
        IReadOnlyList<Slipway.Edge.Control.Contracts.CertificateInfo> certificates;
        try
        {
            certificates = await client.ListCertificatesAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Net.Sockets.SocketException or TaskCanceledException
            or Slipway.Edge.Control.EdgeControlException)
        {
            return;
        }

        if (certificates.Count == 0)
        {
            return;
        }

        output.Line();
        output.Table(["CERTIFICATE", "SOURCE", "NOT AFTER", "DAYS LEFT", "ACME"], certificates.Select(c => (IReadOnlyList<string>)
        [
            c.Host,
            c.Source ?? "-",
            c.NotAfter is { } notAfter ? notAfter.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) : "-",
            CertsCommand.Days(c.DaysLeft),
            CertsCommand.AcmeState(c.Acme),
        ]));
    }

    public static IEnumerable<IReadOnlyList<string>> Rows(IReadOnlyList<AppView> apps)
    {
        foreach (var a in apps)
        {
            if (a.Environments.Count == 0)
            {
                yield return [a.Name, "-", "-", "-", "-", "-", "-", "-"];
                continue;
            }

            foreach (var e in a.Environments)
            {
                yield return
                [
                    a.Name,
                    e.Env,
                    e.CurrentGeneration?.ToString() ?? "-",
                    e.Release ?? "-",
                    e.Revision is { } r ? DeploymentFollower.Short(r) : "-",
                    e.Health ?? "-",
                    e.ProcessState ?? "-",
                    e.Restarts?.ToString() ?? "-",
                ];
            }
        }
    }
}
