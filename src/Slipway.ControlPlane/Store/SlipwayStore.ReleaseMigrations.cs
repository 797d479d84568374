using Microsoft.Data.Sqlite;

namespace Slipway.ControlPlane.Store;

internal sealed partial class SlipwayStore
{
    private const string MigrationColumns = "release_id, app, digest, status, exit_code, attempts, deployment_id, started_at, finished_at";

    /// <summary>
    /// The migration record that decides whether a release with <paramref name="digest"/> still needs its
    /// <c>migrate</c>: a succeeded one if any release of the same tree succeeded, else the newest attempt.
    /// </summary>
    public ReleaseMigration? FindMigration(string app, string digest) => Read(c =>
        ReadAll(
            Query(c,
                $"""
                SELECT {MigrationColumns} FROM release_migrations WHERE app = $app AND digest = $digest
                ORDER BY status = 'succeeded' DESC, started_at DESC LIMIT 1
                """,
                ("$app", app), ("$digest", digest)),
            MapMigration).SingleOrDefault());

    /// <summary>An app's migration records by release id, for the ledger.</summary>
    public IReadOnlyDictionary<string, ReleaseMigration> ListMigrations(string app) => Read(c =>
        ReadAll(Query(c, $"SELECT {MigrationColumns} FROM release_migrations WHERE app = $app", ("$app", app)), MapMigration)
            .ToDictionary(m => m.ReleaseId, StringComparer.Ordinal));

    /// <summary>
    /// Journals that <paramref name="release"/>'s migrate command is about to run (before it runs, so a crash while it
    /// runs is visible afterwards); appends <c>migrate.start</c>.
    /// </summary>
    public ReleaseMigration StartMigration(Release release, string deploymentId) => Write(tx =>
    {
        RequireApp(tx, release.App);
        tx.Execute(
            """
            INSERT INTO release_migrations(release_id, app, digest, status, attempts, deployment_id, started_at)
            VALUES ($release, $app, $digest, 'started', 1, $deployment, $now)
            ON CONFLICT(release_id) DO UPDATE SET status = 'started', attempts = attempts + 1, exit_code = NULL,
                deployment_id = excluded.deployment_id, started_at = excluded.started_at, finished_at = NULL
            """,
            ("$release", release.Id), ("$app", release.App), ("$digest", release.Digest), ("$deployment", deploymentId), ("$now", tx.NowText));
        var migration = LoadMigration(tx, release.Id);
        tx.AppendEvent(EventTypes.MigrateStart, release.App, null, deploymentId,
            new { releaseId = release.Id, digest = release.Digest, attempt = migration.Attempts });
        return migration;
    });

    /// <summary>Records how a started migrate command ended; appends <c>migrate.done</c>.</summary>
    public ReleaseMigration FinishMigration(string releaseId, bool succeeded, int? exitCode) => Write(tx =>
    {
        var migration = LoadMigration(tx, releaseId);
        if (migration.Status != MigrationStatus.Started)
        {
            throw new StoreException(StoreErrorCode.InvalidTransition,
                $"The migration of release {releaseId} is {ToText(migration.Status)}, not started; it cannot finish again.");
        }

        tx.Execute(
            "UPDATE release_migrations SET status = $status, exit_code = $exit, finished_at = $now WHERE release_id = $release",
            ("$release", releaseId), ("$status", succeeded ? "succeeded" : "failed"), ("$exit", exitCode), ("$now", tx.NowText));
        tx.AppendEvent(EventTypes.MigrateDone, migration.App, null, migration.DeploymentId,
            new { releaseId, ok = succeeded, exitCode, attempt = migration.Attempts });
        return LoadMigration(tx, releaseId);
    });

    public static string ToText(MigrationStatus status) => status.ToString().ToLowerInvariant();

    private static ReleaseMigration LoadMigration(StoreTransaction tx, string releaseId) =>
        ReadAll(tx.Command($"SELECT {MigrationColumns} FROM release_migrations WHERE release_id = $id", ("$id", releaseId)), MapMigration).SingleOrDefault()
        ?? throw NotFound($"Release {releaseId} has no migration record.");

    private static ReleaseMigration MapMigration(SqliteDataReader r) => new()
    {
        ReleaseId = r.GetString(0),
        App = r.GetString(1),
        Digest = r.GetString(2),
        Status = Enum.Parse<MigrationStatus>(r.GetString(3), ignoreCase: true),
        ExitCode = r.IsDBNull(4) ? null : r.GetInt32(4),
        Attempts = r.GetInt32(5),
        DeploymentId = NullableString(r, 6),
        StartedAt = StoreTime.Parse(r.GetString(7)),
        FinishedAt = StoreTime.ParseNullable(NullableString(r, 8)),
    };
}
