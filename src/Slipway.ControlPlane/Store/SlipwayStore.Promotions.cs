using Microsoft.Data.Sqlite;

namespace Slipway.ControlPlane.Store;

internal sealed partial class SlipwayStore
{
    private const string PromotionColumns = "deployment_id, from_env, release_id, digest, validated_by, created_at";

    /// <summary>The newest deployment that ran <paramref name="releaseId"/> in (app, env) to success, if any.</summary>
    public Deployment? SucceededDeploymentOf(string app, string env, string releaseId) => Read(c =>
        ReadAll(
            Query(c,
                $"""
                SELECT {DeploymentColumns} FROM deployments
                WHERE app = $app AND env = $env AND release_id = $release AND status = 'succeeded'
                ORDER BY created_at DESC, id DESC LIMIT 1
                """,
                ("$app", app), ("$env", env), ("$release", releaseId)),
            MapDeployment).SingleOrDefault());

    /// <summary>The newest deployment of <paramref name="releaseId"/> in (app, env), whatever its outcome.</summary>
    public Deployment? LastDeploymentOf(string app, string env, string releaseId) => Read(c =>
        ReadAll(
            Query(c,
                $"SELECT {DeploymentColumns} FROM deployments WHERE app = $app AND env = $env AND release_id = $release ORDER BY created_at DESC, id DESC LIMIT 1",
                ("$app", app), ("$env", env), ("$release", releaseId)),
            MapDeployment).SingleOrDefault());

    /// <summary>The promotion a promote deployment carries; null for other deployments.</summary>
    public Promotion? GetPromotion(string deploymentId) => Read(c =>
        ReadAll(Query(c, $"SELECT {PromotionColumns} FROM promotions WHERE deployment_id = $id", ("$id", deploymentId)), MapPromotion)
            .SingleOrDefault());

    /// <summary>The promotion queued because <paramref name="deploymentId"/> succeeded (automatic promotion), if any.</summary>
    public Promotion? GetPromotionAfter(string deploymentId) => Read(c =>
        ReadAll(
            Query(c, $"SELECT {PromotionColumns} FROM promotions WHERE validated_by = $id ORDER BY created_at DESC LIMIT 1", ("$id", deploymentId)),
            MapPromotion).SingleOrDefault());

    private static void InsertPromotion(StoreTransaction tx, string deploymentId, NewDeployment request, PromotionSource source)
    {
        if (request.Kind != DeploymentKind.Promote)
        {
            throw new ArgumentException("Only a promote deployment carries a promotion.", nameof(request));
        }

        var digest = tx.Scalar("SELECT digest FROM releases WHERE id = $id AND app = $app", ("$id", source.ReleaseId), ("$app", request.App)) as string
                     ?? throw NotFound($"Release {source.ReleaseId} does not exist for app {request.App}; `slipway releases {request.App}` lists them.");
        if (digest != source.Digest)
        {
            // The ledger is append-only, so this means a caller mixed up releases: refuse rather than promote another build.
            throw new StoreException(StoreErrorCode.Conflict,
                $"Release {source.ReleaseId} has digest {digest}, not the {source.Digest} validated in {source.FromEnv}; nothing was promoted.");
        }

        tx.Execute(
            $"INSERT INTO promotions({PromotionColumns}) VALUES ($id, $from, $release, $digest, $by, $now)",
            ("$id", deploymentId), ("$from", source.FromEnv), ("$release", source.ReleaseId), ("$digest", source.Digest),
            ("$by", source.ValidatedBy), ("$now", tx.NowText));
        tx.AppendEvent(EventTypes.PromotionQueued, request.App, request.Env, source.ValidatedBy, new
        {
            promotion = deploymentId,
            from = source.FromEnv,
            to = request.Env,
            releaseId = source.ReleaseId,
            digest = source.Digest,
        });
    }

    private static Promotion MapPromotion(SqliteDataReader r) => new(
        r.GetString(0),
        new PromotionSource(r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4)),
        StoreTime.Parse(r.GetString(5)));
}
