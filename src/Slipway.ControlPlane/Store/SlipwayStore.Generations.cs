using Microsoft.Data.Sqlite;

namespace Slipway.ControlPlane.Store;

internal sealed partial class SlipwayStore
{
    private const string GenerationColumns = "app, env, number, release_id, port, process_id, state, created_at, started_at, stopped_at";

    public Generation? GetGeneration(string app, string env, long number) => Read(c =>
        ReadAll(
            Query(c, $"SELECT {GenerationColumns} FROM generations WHERE app = $app AND env = $env AND number = $number",
                ("$app", app), ("$env", env), ("$number", number)),
            MapGeneration).SingleOrDefault());

    /// <summary>An (app, env)'s generations, newest first.</summary>
    public IReadOnlyList<Generation> ListGenerations(string app, string env) => Read(c =>
        ReadAll(
            Query(c, $"SELECT {GenerationColumns} FROM generations WHERE app = $app AND env = $env ORDER BY number DESC",
                ("$app", app), ("$env", env)),
            MapGeneration));

    /// <summary>Current and previous generation of an (app, env); both null before the first promotion.</summary>
    public Pointers GetPointers(string app, string env) => Read(c =>
        ReadAll(
            Query(c, "SELECT current_generation, previous_generation FROM pointers WHERE app = $app AND env = $env", ("$app", app), ("$env", env)),
            r => new Pointers(app, env, NullableLong(r, 0), NullableLong(r, 1))).SingleOrDefault() ?? new Pointers(app, env, null, null));

    /// <summary>Every (app, env) that has been promoted at least once: what the reconciler must keep routed.</summary>
    public IReadOnlyList<Pointers> ListPointers() => Read(c =>
        ReadAll(
            Query(c, "SELECT app, env, current_generation, previous_generation FROM pointers ORDER BY app, env"),
            r => new Pointers(r.GetString(0), r.GetString(1), NullableLong(r, 2), NullableLong(r, 3))));

    /// <summary>Generations that should have a process (not stopped or failed), across all apps, for recovery.</summary>
    public IReadOnlyList<Generation> ListLiveGenerations() => Read(c =>
        ReadAll(
            Query(c, $"SELECT {GenerationColumns} FROM generations WHERE state NOT IN ('stopped', 'failed') ORDER BY app, env, number"),
            MapGeneration));

    /// <summary>
    /// Allocates the next generation number for (app, env) and records the candidate as <c>starting</c>;
    /// appends <c>generation.created</c>.
    /// </summary>
    public Generation CreateGeneration(string app, string env, string releaseId, int? port = null, string? deploymentId = null) => Write(tx =>
    {
        RequireApp(tx, app);
        var releaseApp = tx.Scalar("SELECT app FROM releases WHERE id = $id", ("$id", releaseId)) as string;
        if (releaseApp != app)
        {
            throw NotFound($"Release {releaseId} does not exist for app {app}; record the release before starting a generation of it.");
        }

        var number = tx.NextInSequence($"generation:{app}/{env}");
        tx.Execute(
            """
            INSERT INTO generations(app, env, number, release_id, port, state, created_at)
            VALUES ($app, $env, $number, $release, $port, 'starting', $now)
            """,
            ("$app", app), ("$env", env), ("$number", number), ("$release", releaseId), ("$port", port), ("$now", tx.NowText));
        tx.AppendEvent(EventTypes.GenerationCreated, app, env, deploymentId, new { generation = number, releaseId, port });
        return LoadGeneration(tx, app, env, number);
    });

    /// <summary>
    /// Moves a generation to <paramref name="state"/> (optionally recording its process id and port); appends
    /// <c>generation.&lt;state&gt;</c>. A failed generation stays failed, and only <see cref="Promote"/> makes one active
    /// (except the current generation coming back after a restart).
    /// </summary>
    public Generation SetGenerationState(
        string app, string env, long number, GenerationState state, string? processId = null, int? port = null, string? deploymentId = null) => Write(tx =>
    {
        var generation = LoadGeneration(tx, app, env, number);
        if (generation.State == GenerationState.Failed && state != GenerationState.Failed)
        {
            throw new StoreException(StoreErrorCode.InvalidTransition,
                $"Generation {number} of {app}/{env} failed and cannot become {StoreNames.ToText(state)}; deploy its release as a new generation.");
        }

        if (state == GenerationState.Active && CurrentGeneration(tx, app, env) != number)
        {
            throw new StoreException(StoreErrorCode.InvalidTransition,
                $"Generation {number} of {app}/{env} is not current; promote it to make it active.");
        }

        var running = state is GenerationState.Validating or GenerationState.Active or GenerationState.Warm;
        var ended = state is GenerationState.Stopped or GenerationState.Failed;
        tx.Execute(
            """
            UPDATE generations SET state = $state,
                process_id = COALESCE($process, process_id), port = COALESCE($port, port),
                started_at = CASE WHEN $running AND started_at IS NULL THEN $now ELSE started_at END,
                stopped_at = CASE WHEN $ended THEN COALESCE(stopped_at, $now) ELSE NULL END
            WHERE app = $app AND env = $env AND number = $number
            """,
            ("$app", app), ("$env", env), ("$number", number), ("$state", StoreNames.ToText(state)), ("$process", processId),
            ("$port", port), ("$running", running), ("$ended", ended), ("$now", tx.NowText));
        tx.AppendEvent(EventTypes.ForGeneration(state), app, env, deploymentId, new
        {
            generation = number,
            state = StoreNames.ToText(state),
            from = StoreNames.ToText(generation.State),
            processId,
            port,
        });
        return LoadGeneration(tx, app, env, number);
    });

    /// <summary>
    /// The activation record (docs/architecture.md §2, §9.5), in one transaction: <paramref name="number"/> becomes current and
    /// active; the generation it replaces becomes previous (and warm, if it was active) unless it failed — a failed
    /// generation is never a rollback target, so then the earlier previous is kept. Appends <c>deploy.promoted</c>.
    /// Promoting the current generation again changes nothing and appends nothing (recovery may repeat it).
    /// </summary>
    public Pointers Promote(string app, string env, long number, string? deploymentId = null) =>
        Write(tx => PromoteIn(tx, app, env, number, deploymentId));

    private static Pointers PromoteIn(StoreTransaction tx, string app, string env, long number, string? deploymentId)
    {
        var candidate = LoadGeneration(tx, app, env, number);
        if (candidate.State is GenerationState.Starting or GenerationState.Stopped or GenerationState.Failed)
        {
            throw new StoreException(StoreErrorCode.InvalidTransition,
                $"Generation {number} of {app}/{env} is {StoreNames.ToText(candidate.State)}; only a validated or warm generation can take traffic.");
        }

        var current = CurrentGeneration(tx, app, env);
        var previous = tx.Scalar("SELECT previous_generation FROM pointers WHERE app = $app AND env = $env", ("$app", app), ("$env", env)) as long?;
        if (current == number)
        {
            return new Pointers(app, env, current, previous);
        }

        long? newPrevious = previous;
        GenerationState? replacedState = null;
        if (current is { } replaced)
        {
            replacedState = LoadGeneration(tx, app, env, replaced).State;
            if (replacedState != GenerationState.Failed)
            {
                newPrevious = replaced;
            }

            if (replacedState == GenerationState.Active)
            {
                tx.Execute("UPDATE generations SET state = 'warm' WHERE app = $app AND env = $env AND number = $number",
                    ("$app", app), ("$env", env), ("$number", replaced));
            }
        }

        // A rollback promotes the previous generation; it cannot be both current and previous.
        if (newPrevious == number)
        {
            newPrevious = null;
        }

        tx.Execute(
            """
            UPDATE generations SET state = 'active', started_at = COALESCE(started_at, $now)
            WHERE app = $app AND env = $env AND number = $number
            """,
            ("$app", app), ("$env", env), ("$number", number), ("$now", tx.NowText));
        tx.Execute(
            """
            INSERT INTO pointers(app, env, current_generation, previous_generation) VALUES ($app, $env, $current, $previous)
            ON CONFLICT(app, env) DO UPDATE SET current_generation = excluded.current_generation,
                previous_generation = excluded.previous_generation
            """,
            ("$app", app), ("$env", env), ("$current", number), ("$previous", newPrevious));
        tx.AppendEvent(EventTypes.DeployPromoted, app, env, deploymentId, new
        {
            generation = number,
            releaseId = candidate.ReleaseId,
            replacedGeneration = current,
            replacedState = replacedState is { } s ? StoreNames.ToText(s == GenerationState.Active ? GenerationState.Warm : s) : null,
            previousGeneration = newPrevious,
        });
        return new Pointers(app, env, number, newPrevious);
    }

    private static long? CurrentGeneration(StoreTransaction tx, string app, string env) =>
        tx.Scalar("SELECT current_generation FROM pointers WHERE app = $app AND env = $env", ("$app", app), ("$env", env)) as long?;

    private static Generation LoadGeneration(StoreTransaction tx, string app, string env, long number)
    {
        using var command = tx.Command($"SELECT {GenerationColumns} FROM generations WHERE app = $app AND env = $env AND number = $number",
            ("$app", app), ("$env", env), ("$number", number));
        return ReadAll(command, MapGeneration).SingleOrDefault()
               ?? throw NotFound($"Generation {number} of {app}/{env} does not exist.");
    }

    private static Generation MapGeneration(SqliteDataReader r) => new()
    {
        App = r.GetString(0),
        Env = r.GetString(1),
        Number = r.GetInt64(2),
        ReleaseId = r.GetString(3),
        Port = r.IsDBNull(4) ? null : r.GetInt32(4),
        ProcessId = NullableString(r, 5),
        State = StoreNames.ParseGenerationState(r.GetString(6)),
        CreatedAt = StoreTime.Parse(r.GetString(7)),
        StartedAt = StoreTime.ParseNullable(NullableString(r, 8)),
        StoppedAt = StoreTime.ParseNullable(NullableString(r, 9)),
    };
}
