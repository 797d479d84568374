using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Slipway.ControlPlane.Store;

/// <summary>Rollouts (docs/rollout.md); every change is one transaction plus its journal event.</summary>
internal sealed partial class SlipwayStore
{
    public const string RolloutStarted = "rollout.start";
    public const string RolloutStep = "rollout.step";
    public const string RolloutDecided = "rollout.decision";
    public const string RolloutCommand = "rollout.command";
    public const string RolloutEnded = "rollout.done";

    private const string RolloutColumns =
        "deployment_id, app, env, steps_json, hold, state, step, weight, stable_generation, canary_generation, command, reason, decisions_json, updated_at";

    private static readonly JsonSerializerOptions RolloutJson = new(JsonSerializerDefaults.Web);

    public Rollout? GetRollout(string deploymentId) => Read(c =>
        ReadAll(Query(c, $"SELECT {RolloutColumns} FROM rollouts WHERE deployment_id = $id", ("$id", deploymentId)), MapRollout).SingleOrDefault());

    /// <summary>The rollout running or paused in (app, env), if any.</summary>
    public Rollout? GetOpenRollout(string app, string env) => Read(c =>
        ReadAll(Query(c, $"SELECT {RolloutColumns} FROM rollouts WHERE app = $app AND env = $env AND state IN ('running', 'paused', 'promoting') ORDER BY updated_at DESC LIMIT 1",
            ("$app", app), ("$env", env)), MapRollout).SingleOrDefault());

    /// <summary>
    /// The pipeline begins a rollout: the steps it runs (the spec's, or a <c>--canary</c> request's single held step)
    /// and the two generations it splits between; appends <c>rollout.start</c>.
    /// </summary>
    public Rollout StartRollout(string deploymentId, IReadOnlyList<int> steps, bool hold, long stableGeneration, long canaryGeneration) => Write(tx =>
    {
        var deployment = LoadDeployment(tx, deploymentId);
        RequireStatus(deployment, "start a rollout", DeploymentStatus.Running);
        tx.Execute(
            """
            INSERT INTO rollouts(deployment_id, app, env, steps_json, hold, state, stable_generation, canary_generation, updated_at)
            VALUES ($id, $app, $env, $steps, $hold, 'running', $stable, $canary, $now)
            ON CONFLICT(deployment_id) DO UPDATE SET steps_json = $steps, hold = $hold, state = 'running',
                stable_generation = $stable, canary_generation = $canary, updated_at = $now
            """,
            ("$id", deploymentId), ("$app", deployment.App), ("$env", deployment.Env), ("$steps", JsonSerializer.Serialize(steps)),
            ("$hold", hold ? 1 : 0), ("$stable", stableGeneration), ("$canary", canaryGeneration), ("$now", tx.NowText));
        tx.AppendEvent(RolloutStarted, deployment.App, deployment.Env, deploymentId, new { steps, hold, stableGeneration, canaryGeneration });
        return LoadRollout(tx, deploymentId);
    });

    /// <summary>Journals a step (its share) before the edge is told; appends <c>rollout.step</c>.</summary>
    public Rollout SetRolloutStep(string deploymentId, int step, int weight) => Write(tx =>
    {
        var rollout = LoadRollout(tx, deploymentId);
        tx.Execute("UPDATE rollouts SET step = $step, weight = $weight, updated_at = $now WHERE deployment_id = $id",
            ("$id", deploymentId), ("$step", step), ("$weight", weight), ("$now", tx.NowText));
        var decision = new RolloutDecision { At = tx.Now, Step = step, Weight = weight, Decision = "step", Reason = $"{weight}% of new sessions to the canary" };
        AppendDecision(tx, rollout, decision);
        tx.AppendEvent(RolloutStep, rollout.App, rollout.Env, deploymentId, new { step = step + 1, of = rollout.Steps.Count, weight });
        return LoadRollout(tx, deploymentId);
    });

    /// <summary>
    /// Records a decision and the state it leads to (<c>running</c>, <c>paused</c>, <c>promoting</c>, <c>promoted</c>,
    /// <c>aborted</c>); appends <c>rollout.decision</c>, and <c>rollout.done</c> when the rollout ended.
    /// </summary>
    public Rollout DecideRollout(string deploymentId, RolloutDecision decision, string state, string? reason = null) => Write(tx =>
    {
        var rollout = LoadRollout(tx, deploymentId);
        tx.Execute("UPDATE rollouts SET state = $state, reason = COALESCE($reason, reason), updated_at = $now WHERE deployment_id = $id",
            ("$id", deploymentId), ("$state", state), ("$reason", reason), ("$now", tx.NowText));
        AppendDecision(tx, rollout, decision with { At = tx.Now });
        tx.AppendEvent(RolloutDecided, rollout.App, rollout.Env, deploymentId, new
        {
            step = decision.Step + 1, decision.Weight, decision.Decision, decision.Reason, decision.By, decision.Canary, decision.Stable, state,
        });
        if (state is RolloutStates.Promoted or RolloutStates.Aborted)
        {
            tx.AppendEvent(RolloutEnded, rollout.App, rollout.Env, deploymentId, new { state, reason = reason ?? decision.Reason });
        }

        return LoadRollout(tx, deploymentId);
    });

    /// <summary>
    /// An operator's command for the rollout running in (app, env); the pipeline applies it at its next tick. Throws
    /// <see cref="StoreErrorCode.Conflict"/> when no rollout runs there. Appends <c>rollout.command</c>.
    /// </summary>
    public Rollout CommandRollout(string app, string env, string command) => Write(tx =>
    {
        using var find = tx.Command($"SELECT {RolloutColumns} FROM rollouts WHERE app = $app AND env = $env AND state IN ('running', 'paused') ORDER BY updated_at DESC LIMIT 1",
            ("$app", app), ("$env", env));
        var rollout = ReadAll(find, MapRollout).SingleOrDefault()
            ?? throw new StoreException(StoreErrorCode.Conflict, $"No rollout of {app}/{env} is running: `slipway status {app}` shows what runs; a rollout starts with `slipway deploy {app}` when the spec has `rollout:` (or with --canary).");
        tx.Execute("UPDATE rollouts SET command = $command, updated_at = $now WHERE deployment_id = $id",
            ("$id", rollout.DeploymentId), ("$command", command), ("$now", tx.NowText));
        tx.AppendEvent(RolloutCommand, app, env, rollout.DeploymentId, new { command });
        return LoadRollout(tx, rollout.DeploymentId);
    });

    /// <summary>Reads and clears the pending operator command (null when there is none).</summary>
    public string? TakeRolloutCommand(string deploymentId) => Write(tx =>
    {
        var command = tx.Scalar("SELECT command FROM rollouts WHERE deployment_id = $id", ("$id", deploymentId)) as string;
        if (command is not null)
        {
            tx.Execute("UPDATE rollouts SET command = NULL WHERE deployment_id = $id", ("$id", deploymentId));
        }

        return command;
    });

    private static void InsertCanaryRequest(StoreTransaction tx, string deploymentId, string app, string env, int weight) =>
        tx.Execute(
            """
            INSERT INTO rollouts(deployment_id, app, env, steps_json, hold, state, updated_at)
            VALUES ($id, $app, $env, $steps, 1, 'requested', $now)
            """,
            ("$id", deploymentId), ("$app", app), ("$env", env), ("$steps", JsonSerializer.Serialize(new[] { weight })), ("$now", tx.NowText));

    private static void AppendDecision(StoreTransaction tx, Rollout rollout, RolloutDecision decision) =>
        tx.Execute("UPDATE rollouts SET decisions_json = $decisions WHERE deployment_id = $id",
            ("$id", rollout.DeploymentId), ("$decisions", JsonSerializer.Serialize(rollout.Decisions.Append(decision), RolloutJson)));

    private static Rollout LoadRollout(StoreTransaction tx, string deploymentId)
    {
        using var command = tx.Command($"SELECT {RolloutColumns} FROM rollouts WHERE deployment_id = $id", ("$id", deploymentId));
        return ReadAll(command, MapRollout).SingleOrDefault() ?? throw NotFound($"Deployment {deploymentId} has no rollout.");
    }

    private static Rollout MapRollout(SqliteDataReader r) => new()
    {
        DeploymentId = r.GetString(0),
        App = r.GetString(1),
        Env = r.GetString(2),
        Steps = JsonSerializer.Deserialize<List<int>>(r.GetString(3)) ?? [],
        Hold = r.GetInt64(4) == 1,
        State = r.GetString(5),
        Step = (int)r.GetInt64(6),
        Weight = (int)r.GetInt64(7),
        StableGeneration = NullableLong(r, 8),
        CanaryGeneration = NullableLong(r, 9),
        Command = NullableString(r, 10),
        Reason = NullableString(r, 11),
        Decisions = JsonSerializer.Deserialize<List<RolloutDecision>>(r.GetString(12), RolloutJson) ?? [],
        UpdatedAt = StoreTime.Parse(r.GetString(13)),
    };
}
