using System.CommandLine;
using Slipway.Client;
using Slipway.ControlPlane.Api.Contracts;

namespace Slipway.Cli;

/// <summary>
/// <c>slipway self-deploy</c>: the control plane builds and deploys a new version of itself without dropping a request
/// (docs/self-deploy.md). The call is synchronous; meanwhile the CLI polls the deployment's phase to show progress.
/// </summary>
internal static class SelfDeployCommand
{
    public static Command Create()
    {
        var rev = new Option<string?>("--rev")
        {
            Description = "Git revision of the control plane's source to deploy (sha, branch or tag). Default: the source's branch head.",
            HelpName = "REV",
        };
        var from = new Option<string?>("--from")
        {
            Description = "Deploy this Slipway checkout (on the server's machine) instead of the configured source.",
            HelpName = "DIR",
        };
        var binary = new Option<string?>("--binary")
        {
            Description = "Deploy this single-file release binary (on the server's machine) as it is: nothing is built, no SDK needed.",
            HelpName = "FILE",
        };
        var source = new Option<string?>("--source")
        {
            Description = "Set (and remember) the control plane's git source: a repository URL or path.",
            HelpName = "URL|PATH",
        };
        var branch = new Option<string?>("--branch") { Description = "Branch of --source (default main).", HelpName = "BRANCH" };
        var command = new Command(
            "self-deploy",
            "Build and deploy a new version of the control plane itself: a candidate starts as a follower, passes its probes, takes "
            + "the admin route and the store's lease; the old one drains. Exits 0 only when the handoff succeeded.");
        command.Options.Add(rev);
        command.Options.Add(from);
        command.Options.Add(binary);
        command.Options.Add(source);
        command.Options.Add(branch);
        command.Validators.Add(result =>
        {
            if (new[] { result.GetValue(rev), result.GetValue(from), result.GetValue(binary) }.Count(v => v is not null) > 1)
            {
                result.AddError("--rev, --from and --binary: give one of them (--rev builds a revision of the configured source, --from a checkout, --binary deploys a release binary as it is).");
            }
        });
        ClientCommand.SetAction(command, async (context, cancellationToken) =>
        {
            var pr = context.ParseResult;
            var request = new SelfDeployRequest
            {
                Revision = pr.GetValue(rev),
                From = pr.GetValue(from) is { } dir ? Path.GetFullPath(dir) : null,
                Binary = pr.GetValue(binary) is { } file ? Path.GetFullPath(file) : null,
                Source = pr.GetValue(source) is { } s && !s.Contains("://", StringComparison.Ordinal) && !s.Contains('@', StringComparison.Ordinal) ? Path.GetFullPath(s) : pr.GetValue(source),
                Branch = pr.GetValue(branch),
            };
            var output = context.Output;
            if (!context.Json)
            {
                output.Step(request.Binary is null ? "self-deploy: the control plane builds and deploys itself" : $"self-deploy: the control plane deploys the release binary {request.Binary}");
            }

            using var progress = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var watcher = context.Json ? Task.CompletedTask : ShowProgressAsync(context, DateTimeOffset.UtcNow, progress.Token);
            DeployOutcome outcome;
            try
            {
                outcome = await context.Client.SelfDeployAsync(request, cancellationToken);
            }
            finally
            {
                await progress.CancelAsync();
                await watcher.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (context.Json)
            {
                output.Json(outcome);
            }
            else if (outcome.Status == "succeeded")
            {
                output.Success($"self-deploy {outcome.Id} succeeded in {outcome.DurationMs / 1000.0:0.0} s");
                try
                {
                    var version = await context.Client.GetVersionAsync(cancellationToken);
                    output.Line($"server: {VersionCommand.Summary(version)}");
                }
                catch (Exception e) when (e is ServerUnreachableException or AdminApiException)
                {
                    output.Note($"could not read the new version: {e.Message}");
                }
            }
            else
            {
                output.Failure($"self-deploy {outcome.Id} {outcome.Status}: {outcome.ErrorSummary}");
                if (!string.IsNullOrWhiteSpace(outcome.LogTail))
                {
                    foreach (var line in outcome.LogTail.TrimEnd().Split('\n').TakeLast(15))
                    {
                        output.LogLine(line);
                    }
                }
            }

            return outcome.Status == "succeeded" ? ExitCodes.Ok : ExitCodes.Failed;
        }, json: true);
        return command;
    }

    /// <summary>Prints each phase of the newest self deployment as it changes; reads work on any instance, leader or not.</summary>
    private static async Task ShowProgressAsync(CliContext context, DateTimeOffset since, CancellationToken cancellationToken)
    {
        string? shown = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            try
            {
                var listed = await context.Client.ListDeploymentsAsync("slipway", cancellationToken);
                var latest = listed.Count > 0 ? listed[0] : null;
                if (latest is not null && latest.CreatedAt >= since.AddSeconds(-5))
                {
                    var text = $"{latest.Id}: {latest.Phase}";
                    if (text != shown)
                    {
                        context.Output.Step(latest.Phase);
                        shown = text;
                    }
                }
            }
            catch (Exception e) when (e is ServerUnreachableException or AdminApiException)
            {
                // Progress is best effort; the answer to the deploy call is what counts.
            }
        }
    }
}
