using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Slipway.ControlPlane.Store;

internal sealed partial class SlipwayStore
{
    private const string ReleaseColumns = "id, app, revision, dirty, ref, digest, built_at, path, manifest_json, image_id";

    public Release? GetRelease(string id) => Read(c =>
        ReadAll(Query(c, $"SELECT {ReleaseColumns} FROM releases WHERE id = $id", ("$id", id)), MapRelease).SingleOrDefault());

    /// <summary>An app's releases, newest first.</summary>
    public IReadOnlyList<Release> ListReleases(string app) => Read(c =>
        ReadAll(Query(c, $"SELECT {ReleaseColumns} FROM releases WHERE app = $app ORDER BY built_at DESC, id DESC", ("$app", app)), MapRelease));

    /// <summary>
    /// A fresh release id, <c>r&lt;yyyyMMddHHmmss&gt;-&lt;digest8&gt;</c>: sortable by build time and recognisable by content.
    /// A rebuild of the same tree in the same second gets a <c>-2</c>, <c>-3</c>... suffix.
    /// </summary>
    public string NewReleaseId(string digest, DateTimeOffset builtAt)
    {
        var hex = digest.Contains(':', StringComparison.Ordinal) ? digest[(digest.IndexOf(':', StringComparison.Ordinal) + 1)..] : digest;
        var stem = "r" + builtAt.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "-" +
                   new string(hex.Where(char.IsAsciiLetterOrDigit).Take(8).ToArray()).ToLowerInvariant();
        return Read(c =>
        {
            var candidate = stem;
            for (var n = 2; Exists(c, candidate); n++)
            {
                candidate = stem + "-" + n.ToString(CultureInfo.InvariantCulture);
            }

            return candidate;
        });

        static bool Exists(SqliteConnection c, string id)
        {
            using var command = Query(c, "SELECT 1 FROM releases WHERE id = $id", ("$id", id));
            return command.ExecuteScalar() is not null;
        }
    }

    /// <summary>Adds a built release to the ledger; appends <c>release.created</c>.</summary>
    public Release RecordRelease(Release release, string? deploymentId = null) => Write(tx =>
    {
        RequireApp(tx, release.App);
        tx.Execute(
            $"""
            INSERT INTO releases({ReleaseColumns})
            VALUES ($id, $app, $revision, $dirty, $ref, $digest, $built, $path, $manifest, $image)
            """,
            ("$id", release.Id), ("$app", release.App), ("$revision", release.Revision), ("$dirty", release.Dirty ? 1 : 0),
            ("$ref", release.Ref), ("$digest", release.Digest), ("$built", StoreTime.Format(release.BuiltAt)),
            ("$path", release.Path), ("$manifest", release.ManifestJson), ("$image", release.ImageId));
        tx.AppendEvent(EventTypes.ReleaseCreated, release.App, null, deploymentId,
            new { releaseId = release.Id, revision = release.Revision, dirty = release.Dirty, digest = release.Digest });
        return release with { BuiltAt = StoreTime.Parse(StoreTime.Format(release.BuiltAt)) };
    });

    /// <summary>Pins the docker image built from the release's tree; appends <c>release.image_built</c>.</summary>
    public Release SetReleaseImage(string id, string imageId) => Write(tx =>
    {
        var app = tx.Scalar("SELECT app FROM releases WHERE id = $id", ("$id", id)) as string
                  ?? throw NotFound($"Release {id} does not exist; `slipway releases APP` lists them.");
        tx.Execute("UPDATE releases SET image_id = $image WHERE id = $id", ("$id", id), ("$image", imageId));
        tx.AppendEvent(EventTypes.ReleaseImageBuilt, app, null, null, new { releaseId = id, imageId });
        return ReadAll(tx.Command($"SELECT {ReleaseColumns} FROM releases WHERE id = $id", ("$id", id)), MapRelease).Single();
    });

    /// <summary>
    /// Drops a release from the ledger (keep_releases pruning), with its stopped or failed generations.
    /// Refused while a live generation runs it or a current/previous pointer refers to it.
    /// </summary>
    public void RemoveRelease(string id) => Write(tx =>
    {
        var app = tx.Scalar("SELECT app FROM releases WHERE id = $id", ("$id", id)) as string
                  ?? throw NotFound($"Release {id} does not exist; `slipway releases APP` lists them.");
        var inUse = tx.Scalar(
            """
            SELECT 1 FROM generations g
            WHERE g.release_id = $id AND (g.state NOT IN ('stopped', 'failed') OR EXISTS (
                SELECT 1 FROM pointers p WHERE p.app = g.app AND p.env = g.env
                AND g.number IN (p.current_generation, p.previous_generation)))
            """,
            ("$id", id));
        if (inUse is not null)
        {
            throw new StoreException(StoreErrorCode.InvalidTransition,
                $"Release {id} is running or is a rollback target; it can be removed once no generation uses it.");
        }

        tx.Execute("DELETE FROM generations WHERE release_id = $id", ("$id", id));
        tx.Execute("DELETE FROM releases WHERE id = $id", ("$id", id));
        tx.AppendEvent(EventTypes.ReleaseRemoved, app, null, null, new { releaseId = id });
        return 0;
    });

    private static void RequireApp(StoreTransaction tx, string app)
    {
        if (tx.Scalar("SELECT 1 FROM apps WHERE name = $app", ("$app", app)) is null)
        {
            throw NotFound($"App {app} is not registered; register it first with `slipway apps add`.");
        }
    }

    private static Release MapRelease(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        App = r.GetString(1),
        Revision = NullableString(r, 2),
        Dirty = r.GetInt64(3) != 0,
        Ref = NullableString(r, 4),
        Digest = r.GetString(5),
        BuiltAt = StoreTime.Parse(r.GetString(6)),
        Path = r.GetString(7),
        ManifestJson = r.GetString(8),
        ImageId = NullableString(r, 9),
    };
}
