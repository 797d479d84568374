using System.Text.Json;
using Slipway.ControlPlane.Api.Contracts;

namespace Slipway.Cli;

/// <summary>
/// Shows a deployment live (phases, build and process output, the end) and turns its final status into the exit
/// code: 0 only when it succeeded. Shared by <c>deploy</c>, <c>rollback</c> and <c>promote</c>. When a deployment
/// that succeeded queued an automatic promotion, that one is followed too, so the exit code covers the whole chain.
/// </summary>
internal static class DeploymentFollower
{
    public static async Task<int> RunAsync(CliContext context, DeploymentView started, bool detach, CancellationToken cancellationToken)
    {
        var output = context.Output;
        if (detach)
        {
            if (context.Json)
            {
                output.Json(started);
            }
            else
            {
                output.Line(started.Id);
                output.Note($"{started.Kind} of {started.App} ({started.Env}) {(started.Coalesced ? "joined the one already " : "")}{started.Status}; "
                    + $"watch it with `slipway status {started.App}`, stop it with `slipway cancel {started.Id}`");
            }

            return ExitCodes.Ok;
        }

        if (!context.Json)
        {
            var joined = started.Coalesced ? " (joined a deployment already in progress)" : "";
            var from = started.PromotedFrom is { } source ? $" from {source}" : "";
            output.Step($"{started.Kind} {started.App}{from} to {started.Env}: deployment {started.Id}{joined}");
        }

        try
        {
            await output.WithStatusAsync($"{started.Status}", async setStatus =>
            {
                await foreach (var e in context.Client.FollowDeploymentAsync(started.Id, cancellationToken))
                {
                    if (!context.Json)
                    {
                        Show(output, e, setStatus);
                    }
                }

                return true;
            });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.Note($"stopped following; the deployment goes on. Stop it with `slipway cancel {started.Id}`");
            throw;
        }

        var final = await context.Client.GetDeploymentAsync(started.Id, cancellationToken);
        if (context.Json)
        {
            output.Json(final);
        }
        else
        {
            Summarise(output, final);
        }

        if (final.Status != "succeeded")
        {
            return ExitCodes.Failed;
        }

        // JSON output stays one document per command: scripts follow the promotion by its id.
        if (final.Promotion is { } promotion && !context.Json)
        {
            var next = await context.Client.GetDeploymentAsync(promotion, cancellationToken);
            return await RunAsync(context, next, detach: false, cancellationToken);
        }

        return ExitCodes.Ok;
    }

    private static void Show(Output output, EventView e, Action<string> setStatus)
    {
        switch (e.Type)
        {
            case "deploy.phase":
                var phase = Text(e.Data, "phase") ?? "?";
                output.Step(phase);
                setStatus(phase);
                break;
            case "deploy.log":
                if (Text(e.Data, "line") is { } line)
                {
                    output.LogLine(line);
                }

                break;
            default:
                // Other events (health, restarts) matter only when they carry a message for people.
                if (!e.Type.StartsWith("deploy.", StringComparison.Ordinal) && Text(e.Data, "message") is { } message)
                {
                    output.Note($"{e.Type}: {message}");
                }

                break;
        }
    }

    public static void Summarise(Output output, DeploymentView d)
    {
        var took = d.DurationMs is { } ms ? $" in {ms / 1000.0:0.0}s" : "";
        switch (d.Status)
        {
            case "succeeded":
                var revision = d.Revision is { Length: > 0 } r ? $", revision {Short(r)}" : "";
                output.Success($"succeeded{took}: release {d.Release ?? "?"}{revision}, generation {d.Generation?.ToString() ?? "?"}");
                break;
            case "superseded":
                output.Failure($"superseded{took}{(d.SupersededBy is null ? "" : $" by {d.SupersededBy}")}: a newer deploy of {d.App} took its place");
                break;
            default:
                var exit = d.ExitCode is { } code ? $" (exit {code})" : "";
                var why = string.IsNullOrWhiteSpace(d.ErrorSummary) ? "" : $": {d.ErrorSummary}";
                output.Failure($"{d.Status} in phase {d.Phase}{took}{exit}{why}");
                break;
        }
    }

    public static string Short(string revision) => revision.Length > 12 ? revision[..12] : revision;

    private static string? Text(JsonElement? data, string property) =>
        data is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty(property, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.ToString()
            : null;
}
