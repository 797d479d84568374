using System.CommandLine;
using System.Globalization;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.Edge.Control;

namespace Slipway.Cli;

/// <summary><c>slipway rollout APP [promote|abort|pause|resume|status]</c>: steer or show a running rollout (docs/rollout.md).</summary>
internal static class RolloutCommand
{
    private static readonly string[] Actions = ["status", "promote", "abort", "pause", "resume"];

    public static Command Create()
    {
        var app = new Argument<string>("app") { Description = "The app whose rollout to steer." };
        var action = new Argument<string>("action")
        {
            Description = "status (default): where it is and the live figures; promote: skip the remaining steps and swap now; "
                + "abort: all traffic back to the stable generation, the deployment fails; pause: hold at this step, no automatic decision; "
                + "resume: go on, the step's window starts again.",
            DefaultValueFactory = _ => "status",
        };
        action.AcceptOnlyFromAmong(Actions);
        var env = new Option<string?>("--env") { Description = "The environment whose rollout to steer. Default: the one with a rollout running.", HelpName = "ENV" };
        var command = new Command("rollout", "Show or steer the rollout (canary) of APP that a deploy is running.");
        command.Arguments.Add(app);
        command.Arguments.Add(action);
        command.Options.Add(env);
        ClientCommand.SetAction(command, async (context, cancellationToken) =>
        {
            var pr = context.ParseResult;
            var name = pr.GetRequiredValue(app);
            var what = pr.GetRequiredValue(action);
            var rollout = what == "status"
                ? await context.Client.GetRolloutAsync(name, pr.GetValue(env), cancellationToken)
                : await context.Client.CommandRolloutAsync(name, what, pr.GetValue(env), cancellationToken);
            if (context.Json)
            {
                context.Output.Json(rollout);
                return ExitCodes.Ok;
            }

            if (what != "status")
            {
                context.Output.Success($"{what} sent to the rollout of {name}; the deployment applies it within a second (`slipway rollout {name}` shows it)");
            }

            Print(context.Output, rollout);
            return ExitCodes.Ok;
        }, json: true);
        return command;
    }

    private static void Print(Output output, RolloutView rollout)
    {
        var steps = string.Join(" → ", rollout.Steps.Select(s => s.ToString(CultureInfo.InvariantCulture) + "%"));
        output.Line($"{rollout.State}: step {rollout.Step}/{rollout.Steps.Count} ({steps}{(rollout.Hold ? ", held" : "")}), "
            + $"canary generation {rollout.CanaryGeneration} at {rollout.Weight}%, stable generation {rollout.StableGeneration}");
        if (rollout.PendingCommand is { } pending)
        {
            output.Line($"waiting to apply: {pending}");
        }

        if (rollout.Targets is { Count: > 0 } targets)
        {
            output.Table(["side", "target", "health", "requests", "5xx", "transport", "p99"],
                targets.Select(t => (IReadOnlyList<string>)
                [
                    t.Role, t.Id, WireName.Of(t.Health), N(t.Requests), N(t.Status5xx), N(t.TransportErrors),
                    t.P99Ms is { } p ? p.ToString("0.#", CultureInfo.InvariantCulture) + " ms" : "—",
                ]));
        }

        foreach (var decision in rollout.Decisions.TakeLast(5))
        {
            output.Line($"  {decision.At:HH:mm:ss} step {decision.Step} {decision.Weight}%: {decision.Decision} ({decision.By}) {decision.Reason}");
        }
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
