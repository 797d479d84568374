using Slipway.ControlPlane.Api.Contracts;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Api;

/// <summary>Maps store records to the API's views.</summary>
internal static class Views
{
    public static DeploymentView Of(Deployment d, SlipwayStore store, bool coalesced = false)
    {
        var release = d.ReleaseId is null ? null : store.GetRelease(d.ReleaseId);
        var promotion = d.Kind == DeploymentKind.Promote ? store.GetPromotion(d.Id) : null;
        return new DeploymentView
        {
            Id = d.Id,
            App = d.App,
            Env = d.Env,
            Kind = StoreNames.ToText(d.Kind),
            Status = StoreNames.ToText(d.Status),
            Phase = d.Phase.Name,
            RequestedRevision = d.RequestedRevision,
            From = d.FromDir,
            Release = d.ReleaseId,
            Revision = release?.Revision,
            Digest = release?.Digest,
            Generation = d.Generation is { } g ? (int)g : null,
            CreatedAt = d.CreatedAt,
            StartedAt = d.StartedAt,
            FinishedAt = d.FinishedAt,
            DurationMs = d.DurationMs,
            ExitCode = d.ExitCode,
            ErrorSummary = d.ErrorSummary,
            SupersededBy = d.SupersededBy,
            PhaseTimes = d.PhaseTimes.ToDictionary(p => p.Key.Name, p => p.Value),
            Coalesced = coalesced,
            Promotion = store.GetPromotionAfter(d.Id)?.DeploymentId,
            PromotedFrom = promotion?.Source.FromEnv,
            ValidatedBy = promotion?.Source.ValidatedBy,
            Rollout = store.GetRollout(d.Id) is { } rollout ? Of(rollout) : null,
        };
    }

    public static RolloutView Of(Rollout r) => new()
    {
        State = r.State,
        Steps = r.Steps,
        Step = r.Step + 1,
        Weight = r.Weight,
        Hold = r.Hold,
        StableGeneration = r.StableGeneration is { } s ? (int)s : null,
        CanaryGeneration = r.CanaryGeneration is { } c ? (int)c : null,
        PendingCommand = r.Command,
        Reason = r.Reason,
        Decisions = [.. r.Decisions.Select(d => new RolloutDecisionView
        {
            At = d.At, Step = d.Step + 1, Weight = d.Weight, Decision = d.Decision, Reason = d.Reason, By = d.By,
            Canary = Of(d.Canary), Stable = Of(d.Stable),
        })],
    };

    private static WindowFiguresView? Of(WindowFigures? f) =>
        f is null ? null : new WindowFiguresView { Requests = f.Requests, Errors = f.Errors, ErrorRate = f.ErrorRate, P99Ms = f.P99Ms };

    public static DeployOutcome Outcome(Deployment d, string logTail, string? promotion = null) => new()
    {
        Promotion = promotion,
        Id = d.Id,
        Status = StoreNames.ToText(d.Status),
        DurationMs = d.DurationMs ?? 0,
        ExitCode = d.ExitCode,
        ErrorSummary = d.ErrorSummary,
        LogTail = logTail,
    };

    public static ReleaseView Of(Release r, IReadOnlyDictionary<string, string> environments, ReleaseMigration? migration = null) => new()
    {
        Migration = migration is null ? null : SlipwayStore.ToText(migration.Status),
        MigrationExitCode = migration?.ExitCode,
        Retained = Directory.Exists(r.Path),
        Id = r.Id,
        App = r.App,
        Revision = r.Revision,
        Dirty = r.Dirty,
        Ref = r.Ref,
        Digest = r.Digest,
        BuiltAt = r.BuiltAt,
        Environments = environments,
    };

    public static EventView Of(StoreEvent e) => new()
    {
        Seq = e.Seq,
        At = e.At,
        Type = e.Type,
        App = e.App,
        Env = e.Env,
        DeploymentId = e.DeploymentId,
        Data = System.Text.Json.JsonDocument.Parse(e.DataJson).RootElement.Clone(),
    };
}
