using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Slipway.ControlPlane.Store;

internal sealed partial class SlipwayStore
{
    private const string DeploymentColumns =
        "id, app, env, kind, requested_revision, from_dir, status, phase, release_id, generation, created_at, started_at, " +
        "finished_at, exit_code, error_summary, superseded_by, phase_times_json, duration_ms";

    public Deployment? GetDeployment(string id) => Read(c =>
        ReadAll(Query(c, $"SELECT {DeploymentColumns} FROM deployments WHERE id = $id", ("$id", id)), MapDeployment).SingleOrDefault());

    /// <summary>Newest first; all apps when <paramref name="app"/> is null.</summary>
    public IReadOnlyList<Deployment> ListDeployments(string? app = null, int limit = 50) => Read(c =>
        ReadAll(
            Query(c, $"SELECT {DeploymentColumns} FROM deployments WHERE ($app IS NULL OR app = $app) ORDER BY created_at DESC, id DESC LIMIT $limit",
                ("$app", app), ("$limit", limit)),
            MapDeployment));

    /// <summary>Queued and running deployments, oldest first: what recovery must finish or fail.</summary>
    public IReadOnlyList<Deployment> ListUnfinishedDeployments() => Read(c =>
        ReadAll(Query(c, $"SELECT {DeploymentColumns} FROM deployments WHERE status IN ('queued', 'running') ORDER BY created_at, id"), MapDeployment));

    /// <summary>
    /// Queues a deployment with a fresh id; appends <c>deploy.queued</c>. A promotion is recorded with it, in the
    /// same transaction.
    /// </summary>
    public Deployment CreateDeployment(NewDeployment request, PromotionSource? promotion = null) => Write(tx =>
    {
        RequireApp(tx, request.App);
        var day = tx.Now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var id = $"d-{day}-{tx.NextInSequence("deployment:" + day).ToString("D4", CultureInfo.InvariantCulture)}";
        var phaseTimes = new Dictionary<DeploymentPhase, DateTimeOffset> { [DeploymentPhase.Queued] = tx.Now };
        tx.Execute(
            """
            INSERT INTO deployments(id, app, env, kind, requested_revision, from_dir, status, phase, created_at, phase_times_json)
            VALUES ($id, $app, $env, $kind, $revision, $from, 'queued', 'queued', $now, $times)
            """,
            ("$id", id), ("$app", request.App), ("$env", request.Env), ("$kind", StoreNames.ToText(request.Kind)),
            ("$revision", request.RequestedRevision), ("$from", request.FromDir), ("$now", tx.NowText),
            ("$times", SerializePhaseTimes(phaseTimes)));
        tx.AppendEvent(EventTypes.DeployQueued, request.App, request.Env, id,
            new { id, kind = StoreNames.ToText(request.Kind), revision = request.RequestedRevision, from = request.FromDir });
        if (promotion is not null)
        {
            InsertPromotion(tx, id, request, promotion);
        }

        if (request.CanaryWeight is { } weight)
        {
            InsertCanaryRequest(tx, id, request.App, request.Env, weight);
        }

        return LoadDeployment(tx, id);
    });

    /// <summary>Queued → running; appends <c>deploy.start</c>.</summary>
    public Deployment StartDeployment(string id) => Write(tx =>
    {
        var deployment = LoadDeployment(tx, id);
        RequireStatus(deployment, "start", DeploymentStatus.Queued);
        tx.Execute("UPDATE deployments SET status = 'running', started_at = $now WHERE id = $id", ("$id", id), ("$now", tx.NowText));
        tx.AppendEvent(EventTypes.DeployStart, deployment.App, deployment.Env, id,
            new { id, kind = StoreNames.ToText(deployment.Kind), revision = deployment.RequestedRevision });
        return LoadDeployment(tx, id);
    });

    /// <summary>
    /// Records that a running deployment entered <paramref name="phase"/> (and, once known, its release and
    /// generation); appends <c>deploy.phase</c>.
    /// </summary>
    public Deployment SetDeploymentPhase(string id, DeploymentPhase phase, string? releaseId = null, long? generation = null) => Write(tx =>
    {
        ArgumentNullException.ThrowIfNull(phase);
        var deployment = LoadDeployment(tx, id);
        RequireStatus(deployment, $"enter phase {phase}", DeploymentStatus.Running);
        var times = new Dictionary<DeploymentPhase, DateTimeOffset>(deployment.PhaseTimes) { [phase] = tx.Now };
        tx.Execute(
            """
            UPDATE deployments SET phase = $phase, phase_times_json = $times,
                release_id = COALESCE($release, release_id), generation = COALESCE($generation, generation)
            WHERE id = $id
            """,
            ("$id", id), ("$phase", phase.Name), ("$times", SerializePhaseTimes(times)), ("$release", releaseId), ("$generation", generation));
        tx.AppendEvent(EventTypes.DeployPhase, deployment.App, deployment.Env, id,
            new { id, phase, at = tx.Now, releaseId, generation });
        return LoadDeployment(tx, id);
    });

    /// <summary>
    /// Ends a queued or running deployment with a terminal status; appends <c>deploy.done</c>, or
    /// <c>deploy.cancelled</c> for <see cref="DeploymentStatus.Cancelled"/>. Without <paramref name="durationMs"/>
    /// the duration is measured from start (or from queueing, if it never started).
    /// </summary>
    public Deployment FinishDeployment(string id, DeploymentStatus status, int? exitCode = null, string? errorSummary = null, long? durationMs = null) =>
        Write(tx => FinishIn(tx, id, status, exitCode, errorSummary, durationMs));

    private static Deployment FinishIn(StoreTransaction tx, string id, DeploymentStatus status, int? exitCode, string? errorSummary, long? durationMs)
    {
        if (status is DeploymentStatus.Queued or DeploymentStatus.Running or DeploymentStatus.Superseded)
        {
            throw new ArgumentException($"{status} is not a final status for FinishDeployment; use SupersedeDeployment for superseded.", nameof(status));
        }

        var deployment = LoadDeployment(tx, id);
        RequireStatus(deployment, "finish", DeploymentStatus.Queued, DeploymentStatus.Running);
        var duration = durationMs ?? (long)(tx.Now - (deployment.StartedAt ?? deployment.CreatedAt)).TotalMilliseconds;
        var phase = deployment.Phase;
        var times = deployment.PhaseTimes;
        if (status == DeploymentStatus.Succeeded)
        {
            phase = DeploymentPhase.Done;
            times = new Dictionary<DeploymentPhase, DateTimeOffset>(times) { [DeploymentPhase.Done] = tx.Now };
        }

        errorSummary = tx.Redact(errorSummary);
        tx.Execute(
            """
            UPDATE deployments SET status = $status, phase = $phase, phase_times_json = $times, finished_at = $now,
                exit_code = $exit, error_summary = $error, duration_ms = $duration
            WHERE id = $id
            """,
            ("$id", id), ("$status", StoreNames.ToText(status)), ("$phase", phase.Name), ("$times", SerializePhaseTimes(times)),
            ("$now", tx.NowText), ("$exit", exitCode), ("$error", errorSummary), ("$duration", duration));
        var type = status == DeploymentStatus.Cancelled ? EventTypes.DeployCancelled : EventTypes.DeployDone;
        tx.AppendEvent(type, deployment.App, deployment.Env, id, new
        {
            id,
            ok = status == DeploymentStatus.Succeeded,
            status = StoreNames.ToText(status),
            phase,
            exitCode,
            durationMs = duration,
            errorSummary,
        });
        return LoadDeployment(tx, id);
    }

    /// <summary>A queued deployment is replaced by a newer request (single flight); appends <c>deploy.superseded</c>.</summary>
    public Deployment SupersedeDeployment(string id, string byId) => Write(tx =>
    {
        var deployment = LoadDeployment(tx, id);
        RequireStatus(deployment, "be superseded", DeploymentStatus.Queued);
        if (tx.Scalar("SELECT 1 FROM deployments WHERE id = $by", ("$by", byId)) is null)
        {
            throw NotFound($"Deployment {byId} does not exist, so it cannot supersede {id}.");
        }

        var duration = (long)(tx.Now - deployment.CreatedAt).TotalMilliseconds;
        var byRevision = tx.Scalar("SELECT requested_revision FROM deployments WHERE id = $by", ("$by", byId)) as string;
        var summary = $"superseded by {byId}" + (byRevision is null ? "" : $" (revision {byRevision})") + " before it started";
        tx.Execute(
            "UPDATE deployments SET status = 'superseded', superseded_by = $by, finished_at = $now, duration_ms = $duration, error_summary = $summary WHERE id = $id",
            ("$id", id), ("$by", byId), ("$now", tx.NowText), ("$duration", duration), ("$summary", summary));
        tx.AppendEvent(EventTypes.DeploySuperseded, deployment.App, deployment.Env, id,
            new { id, revision = deployment.RequestedRevision, supersededBy = byId, supersededByRevision = byRevision });
        return LoadDeployment(tx, id);
    });

    private static void RequireStatus(Deployment deployment, string action, params DeploymentStatus[] allowed)
    {
        if (!allowed.Contains(deployment.Status))
        {
            throw new StoreException(StoreErrorCode.InvalidTransition,
                $"Deployment {deployment.Id} is {StoreNames.ToText(deployment.Status)} and cannot {action}.");
        }
    }

    private static Deployment LoadDeployment(StoreTransaction tx, string id)
    {
        using var command = tx.Command($"SELECT {DeploymentColumns} FROM deployments WHERE id = $id", ("$id", id));
        return ReadAll(command, MapDeployment).SingleOrDefault()
               ?? throw NotFound($"Deployment {id} does not exist; `slipway status` lists recent deployments.");
    }

    private static string SerializePhaseTimes(IReadOnlyDictionary<DeploymentPhase, DateTimeOffset> times) =>
        JsonSerializer.Serialize(times.ToDictionary(p => p.Key.Name, p => StoreTime.Format(p.Value)));

    private static Dictionary<DeploymentPhase, DateTimeOffset> ParsePhaseTimes(string json) =>
        (JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [])
        .ToDictionary(p => DeploymentPhase.Parse(p.Key), p => StoreTime.Parse(p.Value));

    private static Deployment MapDeployment(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        App = r.GetString(1),
        Env = r.GetString(2),
        Kind = StoreNames.ParseKind(r.GetString(3)),
        RequestedRevision = NullableString(r, 4),
        FromDir = NullableString(r, 5),
        Status = StoreNames.ParseStatus(r.GetString(6)),
        Phase = DeploymentPhase.Parse(r.GetString(7)),
        ReleaseId = NullableString(r, 8),
        Generation = NullableLong(r, 9),
        CreatedAt = StoreTime.Parse(r.GetString(10)),
        StartedAt = StoreTime.ParseNullable(NullableString(r, 11)),
        FinishedAt = StoreTime.ParseNullable(NullableString(r, 12)),
        ExitCode = r.IsDBNull(13) ? null : r.GetInt32(13),
        ErrorSummary = NullableString(r, 14),
        SupersededBy = NullableString(r, 15),
        PhaseTimes = ParsePhaseTimes(r.GetString(16)),
        DurationMs = NullableLong(r, 17),
    };
}
