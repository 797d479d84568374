using Microsoft.Data.Sqlite;

namespace Slipway.ControlPlane.Store;

/// <summary>Self-deploy handoff markers (docs/self-deploy.md, "Control plane"); each change is one transaction plus an event.</summary>
internal sealed partial class SlipwayStore
{
    public const string HandoffWritten = "self.handoff";
    public const string HandoffCompleted = "self.handoff.completed";
    public const string HandoffAborted = "self.handoff.aborted";

    private const string HandoffColumns =
        "deployment_id, generation, process_id, expected_digest, old_process_id, old_url, written_at, completed_at, completed_by, aborted_at, old_stopped_at";

    public HandoffMarker? GetHandoff(string deploymentId) => Read(c =>
        ReadAll(Query(c, $"SELECT {HandoffColumns} FROM self_handoffs WHERE deployment_id = $id", ("$id", deploymentId)), MapHandoff).SingleOrDefault());

    /// <summary>Completed handoffs whose old instance has not been recorded as stopped yet.</summary>
    public IReadOnlyList<HandoffMarker> ListHandoffsWithOldRunning() => Read(c =>
        ReadAll(Query(c, $"SELECT {HandoffColumns} FROM self_handoffs WHERE completed_at IS NOT NULL AND old_stopped_at IS NULL ORDER BY written_at"), MapHandoff));

    /// <summary>Written by the old instance (still the leader) right after the edge swapped the admin route; appends <c>self.handoff</c>.</summary>
    public HandoffMarker WriteHandoff(string deploymentId, long generation, string processId, string expectedDigest, string oldProcessId, string oldUrl) => Write(tx =>
    {
        var deployment = LoadDeployment(tx, deploymentId);
        RequireStatus(deployment, "hand over", DeploymentStatus.Running);
        tx.Execute(
            """
            INSERT INTO self_handoffs(deployment_id, generation, process_id, expected_digest, old_process_id, old_url, written_at)
            VALUES ($id, $generation, $process, $digest, $old, $oldUrl, $now)
            ON CONFLICT(deployment_id) DO NOTHING
            """,
            ("$id", deploymentId), ("$generation", generation), ("$process", processId), ("$digest", expectedDigest),
            ("$old", oldProcessId), ("$oldUrl", oldUrl), ("$now", tx.NowText));
        tx.AppendEvent(HandoffWritten, deployment.App, deployment.Env, deploymentId,
            new { generation, processId, expectedDigest, oldProcessId });
        return LoadHandoff(tx, deploymentId);
    });

    /// <summary>
    /// The new instance, now holding the lease, completes the handoff in one transaction: the generation becomes
    /// current, the deployment succeeds, the marker records who completed it. Idempotent: a marker already completed
    /// (or aborted) changes nothing and returns false.
    /// </summary>
    public bool CompleteHandoff(string deploymentId, string completedBy, long? durationMs) => Write(tx =>
    {
        var marker = LoadHandoff(tx, deploymentId);
        var deployment = LoadDeployment(tx, deploymentId);
        if (!marker.IsOpen || deployment.IsTerminal)
        {
            return false;
        }

        PromoteIn(tx, deployment.App, deployment.Env, marker.Generation, deploymentId);
        tx.Execute("UPDATE self_handoffs SET completed_at = $now, completed_by = $by WHERE deployment_id = $id",
            ("$id", deploymentId), ("$now", tx.NowText), ("$by", completedBy));
        tx.AppendEvent(HandoffCompleted, deployment.App, deployment.Env, deploymentId, new { generation = marker.Generation, completedBy });
        FinishIn(tx, deploymentId, DeploymentStatus.Succeeded, 0, null, durationMs);
        return true;
    });

    /// <summary>
    /// Ends a self deployment that did not hand over (ceiling passed, candidate died, interrupted): the deployment fails,
    /// the candidate generation fails, the marker (if any) is aborted. Idempotent: a finished deployment is left alone.
    /// </summary>
    public bool AbortHandoff(string deploymentId, string errorSummary, long? durationMs) => Write(tx =>
    {
        var deployment = LoadDeployment(tx, deploymentId);
        if (deployment.IsTerminal)
        {
            return false;
        }

        tx.Execute("UPDATE self_handoffs SET aborted_at = $now WHERE deployment_id = $id AND completed_at IS NULL AND aborted_at IS NULL",
            ("$id", deploymentId), ("$now", tx.NowText));
        if (deployment.Generation is { } number && tx.Scalar(
                "SELECT 1 FROM generations WHERE app = $app AND env = $env AND number = $number AND state IN ('starting', 'validating')",
                ("$app", deployment.App), ("$env", deployment.Env), ("$number", number)) is not null)
        {
            tx.Execute("UPDATE generations SET state = 'failed', stopped_at = COALESCE(stopped_at, $now) WHERE app = $app AND env = $env AND number = $number",
                ("$app", deployment.App), ("$env", deployment.Env), ("$number", number), ("$now", tx.NowText));
            tx.AppendEvent(EventTypes.ForGeneration(GenerationState.Failed), deployment.App, deployment.Env, deploymentId,
                new { generation = number, state = "failed" });
        }

        tx.AppendEvent(HandoffAborted, deployment.App, deployment.Env, deploymentId, new { reason = errorSummary });
        FinishIn(tx, deploymentId, DeploymentStatus.Failed, 1, errorSummary, durationMs);
        return true;
    });

    /// <summary>The instance that handed over has been stopped (after its drain); recovery does not stop it again.</summary>
    public void MarkHandoffOldStopped(string deploymentId) => Write(tx =>
        tx.Execute("UPDATE self_handoffs SET old_stopped_at = COALESCE(old_stopped_at, $now) WHERE deployment_id = $id",
            ("$id", deploymentId), ("$now", tx.NowText)));

    private static HandoffMarker LoadHandoff(StoreTransaction tx, string deploymentId)
    {
        using var command = tx.Command($"SELECT {HandoffColumns} FROM self_handoffs WHERE deployment_id = $id", ("$id", deploymentId));
        return ReadAll(command, MapHandoff).SingleOrDefault() ?? throw NotFound($"Deployment {deploymentId} has no handoff marker.");
    }

    private static HandoffMarker MapHandoff(SqliteDataReader r) => new()
    {
        DeploymentId = r.GetString(0),
        Generation = r.GetInt64(1),
        ProcessId = r.GetString(2),
        ExpectedDigest = r.GetString(3),
        OldProcessId = r.GetString(4),
        OldUrl = r.GetString(5),
        WrittenAt = StoreTime.Parse(r.GetString(6)),
        CompletedAt = StoreTime.ParseNullable(NullableString(r, 7)),
        CompletedBy = NullableString(r, 8),
        AbortedAt = StoreTime.ParseNullable(NullableString(r, 9)),
        OldStoppedAt = StoreTime.ParseNullable(NullableString(r, 10)),
    };
}
