using System.CommandLine;
using System.Globalization;
using System.Net.Http;
using System.Net.Sockets;
using Slipway.Edge.Control;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Hosting;

namespace Slipway.Cli;

/// <summary>
/// <c>slipway certs add|list|remove|renew</c>: the certificates the edge serves, managed over its control
/// socket (<c>HOME/edge.sock</c>). Keys go to the edge only; nothing prints them.
/// </summary>
internal static class CertsCommand
{
    public static Command Create()
    {
        var command = new Command("certs", "Certificates the edge serves over HTTPS: add your own, list them with their expiry and ACME state, remove, renew.");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Remove());
        command.Subcommands.Add(Renew());
        return command;
    }

    private static Option<string?> HomeOption() => new("--home") { Description = "Slipway home directory (default: SLIPWAY_HOME, else ./.slipway)." };

    private static Command Add()
    {
        var host = new Argument<string>("HOST") { Description = "The name it serves: app.example.com, *.example.com, or * for the default certificate." };
        var cert = new Option<string>("--cert") { Description = "PEM file: the certificate, then its intermediates.", Required = true };
        var key = new Option<string>("--key") { Description = "PEM file: the certificate's unencrypted private key.", Required = true };
        var home = HomeOption();
        var command = new Command("add", "Serve a certificate from files for HOST (replaces the one served now without dropping a connection). A key that does not match, a certificate that is expired, not valid yet or not for HOST is refused and nothing changes.");
        command.Arguments.Add(host);
        command.Options.Add(cert);
        command.Options.Add(key);
        command.Options.Add(home);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = CliContext.OutputFor(parseResult);
            var certPath = parseResult.GetValue(cert)!;
            var keyPath = parseResult.GetValue(key)!;
            foreach (var (file, option) in new[] { (certPath, "--cert"), (keyPath, "--key") })
            {
                if (!File.Exists(file))
                {
                    output.Error($"slipway certs add: {option} {file}: no such file.");
                    return ExitCodes.Usage;
                }
            }

            var request = new AddCertificateRequest
            {
                Host = parseResult.GetValue(host)!,
                CertificatePem = await File.ReadAllTextAsync(certPath, cancellationToken),
                KeyPem = await File.ReadAllTextAsync(keyPath, cancellationToken),
            };
            return await WithEdgeAsync(output, "add", parseResult.GetValue(home), async client =>
            {
                try
                {
                    var added = await client.AddCertificateAsync(request, cancellationToken);
                    output.Success($"Serving {added.Host}: {string.Join(", ", added.Names)}, issued by {added.Issuer}, valid until {added.NotAfter:yyyy-MM-dd HH:mm} UTC ({Days(added.DaysLeft)} days)");
                    return ExitCodes.Ok;
                }
                catch (EdgeControlException ex) when ((int)ex.Status == 400)
                {
                    var file = ex.Error.Field switch { "key" => keyPath, "cert" => certPath, _ => request.Host };
                    output.Error($"slipway certs add: {file}: {ex.Error.Error} Nothing was changed.");
                    return ExitCodes.Usage;
                }
            });
        });
        return command;
    }

    private static Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var home = HomeOption();
        var command = new Command("list", "Certificates served and names waiting for one: host, issuer, expiry, source, days left, ACME state and last error.");
        command.Options.Add(json);
        command.Options.Add(home);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var output = CliContext.OutputFor(parseResult);
            return WithEdgeAsync(output, "list", parseResult.GetValue(home), async client =>
            {
                var certificates = await client.ListCertificatesAsync(cancellationToken);
                if (parseResult.GetValue(json))
                {
                    output.Json(certificates);
                    return ExitCodes.Ok;
                }

                if (certificates.Count == 0)
                {
                    output.Line("No certificates. Add one with `slipway certs add HOST --cert FILE --key FILE`, or route a host with `tls: auto` to an edge started with --https.");
                    return ExitCodes.Ok;
                }

                output.Table(["HOST", "SOURCE", "ISSUER", "NOT AFTER", "DAYS LEFT", "ACME"], certificates.Select(c => (IReadOnlyList<string>)
                [
                    c.Host,
                    c.Source ?? "-",
                    c.Issuer ?? "-",
                    c.NotAfter is { } notAfter ? notAfter.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "-",
                    Days(c.DaysLeft),
                    AcmeState(c.Acme),
                ]));
                foreach (var failing in certificates.Where(c => c.Acme?.LastError is not null && c.Acme.State == "failing"))
                {
                    output.Line($"  {failing.Host}: {failing.Acme!.LastError}");
                }

                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private static Command Remove()
    {
        var host = new Argument<string>("HOST") { Description = "The host whose certificate to stop serving." };
        var home = HomeOption();
        var command = new Command("remove", "Stop serving the certificate of HOST (a `tls: auto` route gets a new one from ACME).");
        command.Arguments.Add(host);
        command.Options.Add(home);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var output = CliContext.OutputFor(parseResult);
            var name = parseResult.GetValue(host)!;
            return WithEdgeAsync(output, "remove", parseResult.GetValue(home), async client =>
            {
                if (!await client.RemoveCertificateAsync(name, cancellationToken))
                {
                    output.Error($"slipway certs remove: no certificate is served for '{name}'; `slipway certs list` shows them.");
                    return ExitCodes.Failed;
                }

                output.Success($"No longer serving a certificate for {name}");
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private static Command Renew()
    {
        var host = new Argument<string>("HOST") { Description = "A host routed with `tls: auto`." };
        var home = HomeOption();
        var command = new Command("renew", "Get a new certificate for HOST from ACME now, before it is due; the current one is served until the new one is in.");
        command.Arguments.Add(host);
        command.Options.Add(home);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var output = CliContext.OutputFor(parseResult);
            var name = parseResult.GetValue(host)!;
            return WithEdgeAsync(output, "renew", parseResult.GetValue(home), async client =>
            {
                if (!await client.RenewCertificateAsync(name, cancellationToken))
                {
                    output.Error($"slipway certs renew: '{name}' is not the host of a route with `tls: auto`.");
                    return ExitCodes.Failed;
                }

                output.Success($"Renewal of {name} started; `slipway certs list` shows when the new certificate is served.");
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private static async Task<int> WithEdgeAsync(Output output, string verb, string? home, Func<EdgeControlClient, Task<int>> work)
    {
        var options = new EdgeOptions { Home = EdgeCommand.Pick(home, "SLIPWAY_HOME", Path.Combine(Environment.CurrentDirectory, ".slipway")) };
        using var client = new EdgeControlClient(options.ControlSocketPath, TimeSpan.FromSeconds(30));
        try
        {
            return await work(client);
        }
        catch (EdgeControlException ex)
        {
            output.Error($"slipway certs {verb}: {ex.Error.Error}");
            return ExitCodes.Failed;
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException)
        {
            output.Error($"slipway certs {verb}: no edge answers on {options.ControlSocketPath} ({ex.Message}). Is `slipway up` or `slipway edge` running with this home?");
            return ExitCodes.Unreachable;
        }
    }

    internal static string Days(double? days) => days is { } d ? d.ToString("0.#", CultureInfo.InvariantCulture) : "-";

    internal static string AcmeState(Slipway.Edge.Acme.AcmeHostStatus? acme) => acme switch
    {
        null => "-",
        { State: "failing" } => $"failing ({acme.Failures}x, next {acme.NextAttemptAt:HH:mm:ss})",
        { State: "valid", RenewAt: { } renew } => $"renews {renew:yyyy-MM-dd HH:mm}",
        _ => acme.State,
    };
}
