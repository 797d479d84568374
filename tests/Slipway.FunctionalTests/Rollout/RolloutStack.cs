using System.Net.Http.Json;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.Edge.Control.Contracts;
using Slipway.FunctionalTests.Infrastructure;
using Slipway.FunctionalTests.Recovery;

namespace Slipway.FunctionalTests.Rollout;

/// <summary>What the rollout tests do to a <see cref="RecoveryStack"/>: deploy, watch a rollout's steps, steer it through the real CLI.</summary>
internal static class RolloutStack
{
    public static async Task<DeploymentView> DeployAsync(RecoveryStack stack, string app, string from, string? canary = null)
    {
        using var response = await stack.Admin.Client.PostAsJsonAsync($"/api/v1/apps/{app}/deploy", new DeployRequest { From = from, Canary = canary }, AdminHttp.Json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"deploy {app}: {(int)response.StatusCode} {body}");
        return System.Text.Json.JsonSerializer.Deserialize<DeploymentView>(body, AdminHttp.Json)!;
    }

    /// <summary>Polls until the deployment's rollout is at <paramref name="step"/> (from 1) in <paramref name="state"/>.</summary>
    public static async Task<DeploymentView> AtStepAsync(RecoveryStack stack, string id, int step, string state = "running")
    {
        var at = await stack.Admin.WaitForAsync(id, d => d.Rollout is { } r && r.Step == step && r.State == state && r.Decisions[^1].Decision is not "advance"
                || d.Status is not ("queued" or "running"),
            TimeSpan.FromSeconds(120), $"rollout at step {step}, {state}");
        Assert.True(at.Status == "running", $"deployment {id} ended before its rollout reached step {step} ({state}): {at.Status}, {at.ErrorSummary}; "
            + string.Join("; ", at.Rollout?.Decisions.Select(d => $"{d.Decision} by {d.By}: {d.Reason}") ?? []));
        if (at.Rollout is { CanaryGeneration: int canary, Weight: var weight })
        {
            await EdgeSplitsAsync(stack, at.App, canary, weight);
        }

        return at;
    }

    /// <summary>
    /// Polls until the edge sends <paramref name="weight"/>% to a healthy <paramref name="canary"/>. A step is journaled
    /// before the edge is told, so a sample taken the moment the deployment shows the step may still all land on stable.
    /// </summary>
    public static async Task EdgeSplitsAsync(RecoveryStack stack, string app, int canary, int weight)
    {
        using var control = stack.EdgeControl();
        await Poll.UntilAsync(async () =>
            await control.GetServiceAsync($"{app}.prod", CancellationToken.None) is { } service && service.CanaryWeight == weight
                && service.Canary.Any(t => t.Id == $"{app}-prod-g{canary}" && t.Health == TargetHealth.Healthy),
            TimeSpan.FromSeconds(30), $"the edge to send {weight}% to a healthy g{canary}");
    }

    /// <summary>Runs the real <c>slipway</c> binary against the stack's control plane.</summary>
    public static async Task<SlipwayChild> CliAsync(RecoveryStack stack, params string[] arguments)
    {
        var cli = SlipwayChild.Start(new Dictionary<string, string>
        {
            ["SLIPWAY_URL"] = stack.AdminUrl.ToString().TrimEnd('/'),
            ["SLIPWAY_HOME"] = stack.Home,
        }, arguments);
        await cli.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return cli;
    }

    /// <summary>The edge routes only <paramref name="generation"/>: one target, no canary.</summary>
    public static async Task AssertRoutesOnlyAsync(RecoveryStack stack, string app, long generation)
    {
        using var control = stack.EdgeControl();
        var service = await control.GetServiceAsync($"{app}.prod", CancellationToken.None);
        Assert.NotNull(service);
        Assert.Equal([$"{app}-prod-g{generation}"], service.Targets.Select(t => t.Id));
        Assert.Empty(service.Canary);
    }

    public static async Task<IReadOnlyList<string>> RunningProcessesAsync(RecoveryStack stack, string app)
    {
        using var control = stack.EdgeControl();
        return [.. (await control.ListProcessesAsync(CancellationToken.None)).Where(p => p.Id.StartsWith(app + "-", StringComparison.Ordinal) && p.State == ProcessState.Running).Select(p => p.Id)];
    }
}
