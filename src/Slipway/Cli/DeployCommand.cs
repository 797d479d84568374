using System.CommandLine;
using Slipway.Client;
using Slipway.ControlPlane.Api.Contracts;

namespace Slipway.Cli;

/// <summary><c>slipway deploy APP</c>: start a deployment and follow it to its end.</summary>
internal static class DeployCommand
{
    public static Command Create()
    {
        var app = new Argument<string>("app") { Description = "The registered app to deploy." };
        var from = new Option<string?>("--from")
        {
            Description = "Deploy the working tree of this directory (on the server's machine) instead of the app's git source.",
            HelpName = "DIR",
        };
        var rev = new Option<string?>("--rev")
        {
            Description = "Git revision to deploy (sha, branch or tag). Default: the source's branch head.",
            HelpName = "REV",
        };
        var env = new Option<string?>("--env")
        {
            Description = "Environment to deploy to. Default: the app's first environment.",
            HelpName = "ENV",
        };
        var canary = new Option<string?>("--canary")
        {
            Description = "A one-off canary: after validation the release gets this share of new sessions (e.g. 10%) and stays there, "
                + "watched by the analysis, until `slipway rollout APP promote` or `abort` (docs/rollout.md).",
            HelpName = "PERCENT",
        };
        var detach = new Option<bool>("--detach") { Description = "Print the deployment id and return at once instead of following it." };
        var command = new Command(
            "deploy",
            "Build, start, verify and route a new release of APP. Follows the deployment live; exits 0 only when it succeeded "
            + "(1 failed, cancelled or superseded; 2 usage or config error; 3 server unreachable).");
        command.Arguments.Add(app);
        command.Options.Add(from);
        command.Options.Add(rev);
        command.Options.Add(env);
        command.Options.Add(canary);
        command.Options.Add(detach);
        ClientCommand.SetAction(command, async (context, cancellationToken) =>
        {
            var pr = context.ParseResult;
            var request = new DeployRequest
            {
                From = pr.GetValue(from) is { } dir ? ResolveFrom(dir, context.Client.Endpoint) : null,
                Revision = pr.GetValue(rev),
                Env = pr.GetValue(env),
                Canary = pr.GetValue(canary) is { } share ? CanaryShare(share) : null,
            };
            var started = await context.Client.DeployAsync(pr.GetRequiredValue(app), request, cancellationToken);
            return await DeploymentFollower.RunAsync(context, started, pr.GetValue(detach), cancellationToken);
        }, json: true);
        return command;
    }

    /// <summary>Checked here too, so a typo is a usage error before anything is built.</summary>
    private static string CanaryShare(string share) =>
        ControlPlane.Spec.RolloutSpecParser.ParseShare(share, out var error) is { } value
            ? value.ToString(System.Globalization.CultureInfo.InvariantCulture) + "%"
            : throw new CliConfigurationException($"--canary {share}: {error}");

    /// <summary>
    /// The server resolves paths on its own machine, so a relative path is made absolute here. When the server is
    /// on this machine a missing directory is caught before anything is queued.
    /// </summary>
    private static string ResolveFrom(string dir, AdminEndpoint endpoint)
    {
        var full = Path.GetFullPath(dir);
        if (endpoint.BaseUrl.IsLoopback && !Directory.Exists(full))
        {
            throw new CliConfigurationException($"--from {dir}: no such directory ({full})");
        }

        return full;
    }
}
