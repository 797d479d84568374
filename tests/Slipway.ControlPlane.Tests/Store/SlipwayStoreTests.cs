using System.Text.Json;
using Microsoft.Data.Sqlite;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Tests.Store;

public sealed class SlipwayStoreTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new(Start);

    public void Dispose() => _dir.Dispose();

    private string DbPath => _dir.File("slipway.db");

    private SlipwayStore Open() => SlipwayStore.Open(DbPath, _time);

    private static Release NewRelease(SlipwayStore store, string app = "hello", string digest = "sha256:0123456789abcdef")
    {
        var builtAt = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        var id = store.NewReleaseId(digest, builtAt);
        return store.RecordRelease(new Release
        {
            Id = id,
            App = app,
            Revision = "4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e",
            Ref = "main",
            Digest = digest,
            BuiltAt = builtAt,
            Path = "/releases/" + app + "/" + id,
            ManifestJson = "{\"app\":\"" + app + "\"}",
        });
    }

    private static Generation ValidatedGeneration(SlipwayStore store, Release release, string env = "prod")
    {
        var generation = store.CreateGeneration(release.App, env, release.Id, port: 5000);
        return store.SetGenerationState(release.App, env, generation.Number, GenerationState.Validating, processId: "1234");
    }

    private static List<StoreEvent> EventsAfter(SlipwayStore store, long seq) => [.. store.ReadEvents(seq)];

    [Fact]
    public void Open_EmptyDirectory_AppliesAllMigrations()
    {
        using var store = SlipwayStore.Open(Path.Combine(_dir.Path, "nested", "slipway.db"), _time);

        Assert.Equal(SlipwayStore.LatestSchemaVersion, store.SchemaVersion());
        Assert.Empty(store.ListApps());
        Assert.Equal(0, store.LastEventSeq());
    }

    [Fact]
    public void Open_Always_UsesWalForeignKeysAndFullSync()
    {
        using var store = Open();

        Assert.Equal("wal", store.Pragma("journal_mode"));
        Assert.Equal("1", store.Pragma("foreign_keys"));
        Assert.Equal("2", store.Pragma("synchronous")); // FULL
        Assert.Equal("5000", store.Pragma("busy_timeout"));
    }

    [Fact]
    public void Open_Reopened_KeepsDataAndDoesNotReapplyMigrations()
    {
        using (var store = Open())
        {
            store.UpsertApp("hello", "app: hello\n");
            store.CreateDeployment(new NewDeployment { App = "hello" });
        }

        using var reopened = Open();
        Assert.Equal("app: hello\n", reopened.GetApp("hello")!.SpecYaml);
        Assert.Single(reopened.ListDeployments("hello"));
        Assert.Equal(SlipwayStore.LatestSchemaVersion, reopened.SchemaVersion());
        Assert.Equal(2, reopened.LastEventSeq());
    }

    [Fact]
    public void Open_MigrationMissingBelowTheHighestApplied_AppliesItAndKeepsData()
    {
        using (var store = Open())
        {
            store.UpsertApp("hello", "app: hello\n");
        }

        // As if the store had been upgraded by a build that had migrations 6 and 7 but not yet 5 (branches merged late).
        using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE app_secrets; DELETE FROM schema_migrations WHERE version = 5;";
            command.ExecuteNonQuery();
        }

        using var reopened = Open();
        Assert.Equal("app: hello\n", reopened.GetApp("hello")!.SpecYaml);
        Assert.Equal(SlipwayStore.LatestSchemaVersion, reopened.SchemaVersion());
        using var check = new SqliteConnection($"Data Source={DbPath};Mode=ReadOnly;Pooling=False");
        check.Open();
        using var query = check.CreateCommand();
        query.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'app_secrets'";
        Assert.Equal(1L, (long)query.ExecuteScalar()!);
    }

    [Fact]
    public void Open_GarbageFile_ThrowsUnreadableAndLeavesFileUntouched()
    {
        var garbage = new byte[8192];
        new Random(42).NextBytes(garbage);
        File.WriteAllBytes(DbPath, garbage);

        var error = Assert.Throws<StoreException>(Open);

        Assert.Equal(StoreErrorCode.Unreadable, error.Code);
        Assert.Contains(DbPath, error.Message, StringComparison.Ordinal);
        Assert.Contains("not a readable SQLite database", error.Message, StringComparison.Ordinal);
        Assert.Contains("untouched", error.Message, StringComparison.Ordinal);
        Assert.Equal(garbage, File.ReadAllBytes(DbPath));
        Assert.Equal(["slipway.db"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Open_SchemaNewerThanCode_ThrowsSchemaTooNew()
    {
        using (Open())
        {
        }

        using (var raw = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = "INSERT INTO schema_migrations(version, name, applied_at) VALUES (999, 'future', '2030-01-01')";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<StoreException>(Open);

        Assert.Equal(StoreErrorCode.SchemaTooNew, error.Code);
        Assert.Contains("schema version 999", error.Message, StringComparison.Ordinal);
        Assert.Contains("newer Slipway", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForeignKeys_RawInsertOfDanglingGeneration_IsRejected()
    {
        using (Open())
        {
        }

        using var raw = new SqliteConnection($"Data Source={DbPath};Pooling=False;Foreign Keys=True");
        raw.Open();
        using var command = raw.CreateCommand();
        command.CommandText = "INSERT INTO generations(app, env, number, release_id, state, created_at) VALUES ('ghost', 'prod', 1, 'r1', 'starting', 'x')";

        var error = Assert.Throws<SqliteException>(() => command.ExecuteNonQuery());
        Assert.Contains("FOREIGN KEY", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UpsertApp_NewThenExisting_AppendsRegisteredThenUpdatedWithoutSpecText()
    {
        using var store = Open();

        store.UpsertApp("hello", "app: hello\nenv: { GREETING: hi }\n");
        _time.Advance(TimeSpan.FromMinutes(1));
        var updated = store.UpsertApp("hello", "app: hello\n");

        var events = EventsAfter(store, 0);
        Assert.Equal(["app.registered", "app.updated"], events.Select(e => e.Type));
        Assert.All(events, e => Assert.DoesNotContain("GREETING", e.DataJson, StringComparison.Ordinal));
        Assert.Equal(Start, updated.CreatedAt);
        Assert.Equal(Start.AddMinutes(1), updated.UpdatedAt);
    }

    [Fact]
    public void CreateDeployment_RegisteredApp_QueuesWithSortableIdAndOneEvent()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var before = store.LastEventSeq();

        var first = store.CreateDeployment(new NewDeployment { App = "hello", RequestedRevision = "main" });
        var second = store.CreateDeployment(new NewDeployment { App = "hello", RequestedRevision = "main" });

        Assert.Equal("d-20261122-0001", first.Id);
        Assert.Equal("d-20261122-0002", second.Id);
        Assert.Equal(DeploymentStatus.Queued, first.Status);
        Assert.Equal(DeploymentPhase.Queued, first.Phase);
        var events = EventsAfter(store, before);
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal("deploy.queued", e.Type));
        Assert.Equal(first.Id, events[0].DeploymentId);
        Assert.Equal("prod", events[0].Env);
    }

    [Fact]
    public void CreateDeployment_UnknownApp_ThrowsNotFoundAndAppendsNothing()
    {
        using var store = Open();

        var error = Assert.Throws<StoreException>(() => store.CreateDeployment(new NewDeployment { App = "ghost" }));

        Assert.Equal(StoreErrorCode.NotFound, error.Code);
        Assert.Contains("ghost", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, store.LastEventSeq());
    }

    [Fact]
    public void DeploymentLifecycle_StartPhasesFinish_RecordsTimesAndJournalsEachStep()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var deployment = store.CreateDeployment(new NewDeployment { App = "hello" });
        var before = store.LastEventSeq();

        _time.Advance(TimeSpan.FromSeconds(1));
        store.StartDeployment(deployment.Id);
        _time.Advance(TimeSpan.FromSeconds(1));
        store.SetDeploymentPhase(deployment.Id, DeploymentPhase.Source);
        _time.Advance(TimeSpan.FromSeconds(2));
        var release = NewRelease(store);
        store.SetDeploymentPhase(deployment.Id, DeploymentPhase.Release, releaseId: release.Id);
        _time.Advance(TimeSpan.FromSeconds(3));
        var done = store.FinishDeployment(deployment.Id, DeploymentStatus.Succeeded, exitCode: 0);

        Assert.Equal(DeploymentStatus.Succeeded, done.Status);
        Assert.Equal(DeploymentPhase.Done, done.Phase);
        Assert.Equal(release.Id, done.ReleaseId);
        Assert.Equal(6000, done.DurationMs);
        Assert.Equal([DeploymentPhase.Queued, DeploymentPhase.Source, DeploymentPhase.Release, DeploymentPhase.Done], done.PhaseTimes.Keys);
        Assert.Equal(Start.AddSeconds(2), done.PhaseTimes[DeploymentPhase.Source]);
        Assert.Equal(Start.AddSeconds(1), done.StartedAt);
        Assert.Equal(Start.AddSeconds(7), done.FinishedAt);

        var types = EventsAfter(store, before).Select(e => e.Type).ToList();
        Assert.Equal(["deploy.start", "deploy.phase", "release.created", "deploy.phase", "deploy.done"], types);
        using var data = JsonDocument.Parse(EventsAfter(store, before)[^1].DataJson);
        Assert.True(data.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(6000, data.RootElement.GetProperty("durationMs").GetInt64());
        Assert.Equal(0, data.RootElement.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public void FinishDeployment_Failed_KeepsFailingPhaseAndSummary()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var deployment = store.CreateDeployment(new NewDeployment { App = "hello" });
        store.StartDeployment(deployment.Id);
        store.SetDeploymentPhase(deployment.Id, DeploymentPhase.Build);

        var failed = store.FinishDeployment(deployment.Id, DeploymentStatus.Failed, exitCode: 2, errorSummary: "build step publish exited 2");

        Assert.Equal(DeploymentPhase.Build, failed.Phase);
        Assert.Equal(2, failed.ExitCode);
        Assert.Equal("build step publish exited 2", failed.ErrorSummary);
        var last = store.ReadEvents(0)[^1];
        Assert.Equal("deploy.done", last.Type);
        Assert.Contains("\"ok\":false", last.DataJson, StringComparison.Ordinal);
    }

    [Fact]
    public void FinishDeployment_Cancelled_AppendsDeployCancelled()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var deployment = store.CreateDeployment(new NewDeployment { App = "hello" });

        var cancelled = store.FinishDeployment(deployment.Id, DeploymentStatus.Cancelled);

        Assert.True(cancelled.IsTerminal);
        Assert.Equal("deploy.cancelled", store.ReadEvents(0)[^1].Type);
        Assert.Empty(store.ListUnfinishedDeployments());
    }

    [Fact]
    public void FinishDeployment_AlreadyFinished_ThrowsInvalidTransitionAndAppendsNothing()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var deployment = store.CreateDeployment(new NewDeployment { App = "hello" });
        store.FinishDeployment(deployment.Id, DeploymentStatus.Cancelled);
        var before = store.LastEventSeq();

        var error = Assert.Throws<StoreException>(() => store.FinishDeployment(deployment.Id, DeploymentStatus.Succeeded));

        Assert.Equal(StoreErrorCode.InvalidTransition, error.Code);
        Assert.Contains("is cancelled", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, store.LastEventSeq());
        Assert.Equal(DeploymentStatus.Cancelled, store.GetDeployment(deployment.Id)!.Status);
    }

    [Fact]
    public void StartDeployment_AlreadyRunning_ThrowsInvalidTransition()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var deployment = store.CreateDeployment(new NewDeployment { App = "hello" });
        store.StartDeployment(deployment.Id);

        var error = Assert.Throws<StoreException>(() => store.StartDeployment(deployment.Id));

        Assert.Equal(StoreErrorCode.InvalidTransition, error.Code);
    }

    [Fact]
    public void SupersedeDeployment_Queued_EndsSupersededAndJournals()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var old = store.CreateDeployment(new NewDeployment { App = "hello", RequestedRevision = "a" });
        var replacement = store.CreateDeployment(new NewDeployment { App = "hello", RequestedRevision = "b" });

        var superseded = store.SupersedeDeployment(old.Id, replacement.Id);

        Assert.Equal(DeploymentStatus.Superseded, superseded.Status);
        Assert.Equal(replacement.Id, superseded.SupersededBy);
        var last = store.ReadEvents(0)[^1];
        Assert.Equal("deploy.superseded", last.Type);
        Assert.Equal(old.Id, last.DeploymentId);
        Assert.Contains(replacement.Id, last.DataJson, StringComparison.Ordinal);
        Assert.Equal([replacement.Id], store.ListUnfinishedDeployments().Select(d => d.Id));
    }

    [Fact]
    public void RecordRelease_DuplicateId_RollsBackRowAndEvent()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var release = NewRelease(store);
        var before = store.LastEventSeq();

        var error = Assert.Throws<StoreException>(() => store.RecordRelease(release with { Digest = "sha256:ffff" }));

        Assert.Equal(StoreErrorCode.Conflict, error.Code);
        Assert.Equal(before, store.LastEventSeq());
        Assert.Equal("sha256:0123456789abcdef", store.GetRelease(release.Id)!.Digest);
    }

    [Fact]
    public void NewReleaseId_SameDigestSameSecond_GetsSuffix()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");

        var first = NewRelease(store);
        var second = NewRelease(store);

        Assert.Equal("r20261122100000-01234567", first.Id);
        Assert.Equal("r20261122100000-01234567-2", second.Id);
        Assert.Equal([second.Id, first.Id], store.ListReleases("hello").Select(r => r.Id));
    }

    [Fact]
    public void CreateGeneration_UnknownRelease_LeavesNoRowNoEventAndNoGap()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var before = store.LastEventSeq();

        Assert.Throws<StoreException>(() => store.CreateGeneration("hello", "prod", "r-missing"));

        Assert.Empty(store.ListGenerations("hello", "prod"));
        Assert.Equal(before, store.LastEventSeq());
        var release = NewRelease(store);
        Assert.Equal(1, store.CreateGeneration("hello", "prod", release.Id).Number);
    }

    [Fact]
    public void CreateGeneration_AfterAppRemovedAndReadded_NeverReusesNumbers()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var release = NewRelease(store);
        store.CreateGeneration("hello", "prod", release.Id);
        store.CreateGeneration("hello", "prod", release.Id);
        var test = store.CreateGeneration("hello", "test", release.Id);

        Assert.True(store.RemoveApp("hello"));
        Assert.Empty(store.ListGenerations("hello", "prod"));
        store.UpsertApp("hello", "app: hello\n");
        var again = NewRelease(store);
        var next = store.CreateGeneration("hello", "prod", again.Id);

        Assert.Equal(1, test.Number);
        Assert.Equal(3, next.Number);
    }

    [Fact]
    public void SetGenerationState_Sequence_RecordsTimesAndOneEventEach()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var release = NewRelease(store);
        var generation = store.CreateGeneration("hello", "prod", release.Id, port: 5001);
        var before = store.LastEventSeq();

        _time.Advance(TimeSpan.FromSeconds(1));
        var validating = store.SetGenerationState("hello", "prod", generation.Number, GenerationState.Validating, processId: "4242");
        _time.Advance(TimeSpan.FromSeconds(1));
        var stopped = store.SetGenerationState("hello", "prod", generation.Number, GenerationState.Stopped);

        Assert.Equal(GenerationState.Starting, generation.State);
        Assert.Equal("4242", validating.ProcessId);
        Assert.Equal(5001, validating.Port);
        Assert.Equal(Start.AddSeconds(1), stopped.StartedAt);
        Assert.Equal(Start.AddSeconds(2), stopped.StoppedAt);
        Assert.Equal(["generation.validating", "generation.stopped"], EventsAfter(store, before).Select(e => e.Type));
    }

    [Fact]
    public void SetGenerationState_FromFailed_IsRefused()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var release = NewRelease(store);
        var generation = store.CreateGeneration("hello", "prod", release.Id);
        store.SetGenerationState("hello", "prod", generation.Number, GenerationState.Failed);

        var error = Assert.Throws<StoreException>(() =>
            store.SetGenerationState("hello", "prod", generation.Number, GenerationState.Validating));

        Assert.Equal(StoreErrorCode.InvalidTransition, error.Code);
        Assert.Equal(GenerationState.Failed, store.GetGeneration("hello", "prod", generation.Number)!.State);
    }

    [Fact]
    public void Promote_FirstThenSecond_MovesCurrentToPreviousAndKeepsItWarm()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var release = NewRelease(store);
        var one = ValidatedGeneration(store, release);
        var two = ValidatedGeneration(store, release);

        var first = store.Promote("hello", "prod", one.Number);
        var before = store.LastEventSeq();
        var second = store.Promote("hello", "prod", two.Number, deploymentId: "d-1");

        Assert.Equal(new Pointers("hello", "prod", 1, null), first);
        Assert.Equal(new Pointers("hello", "prod", 2, 1), second);
        Assert.Equal(second, store.GetPointers("hello", "prod"));
        Assert.Equal(GenerationState.Active, store.GetGeneration("hello", "prod", 2)!.State);
        Assert.Equal(GenerationState.Warm, store.GetGeneration("hello", "prod", 1)!.State);
        var events = EventsAfter(store, before);
        var promoted = Assert.Single(events);
        Assert.Equal("deploy.promoted", promoted.Type);
        Assert.Equal("d-1", promoted.DeploymentId);
        using var data = JsonDocument.Parse(promoted.DataJson);
        Assert.Equal(2, data.RootElement.GetProperty("generation").GetInt64());
        Assert.Equal(1, data.RootElement.GetProperty("previousGeneration").GetInt64());
    }

    [Fact]
    public void Promote_ReplacingFailedCurrent_NeverMakesItPrevious()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var release = NewRelease(store);
        var one = ValidatedGeneration(store, release);
        var two = ValidatedGeneration(store, release);
        var three = ValidatedGeneration(store, release);
        store.Promote("hello", "prod", one.Number);
        store.Promote("hello", "prod", two.Number);
        store.SetGenerationState("hello", "prod", two.Number, GenerationState.Failed);

        var pointers = store.Promote("hello", "prod", three.Number);

        Assert.Equal(new Pointers("hello", "prod", 3, 1), pointers);
    }

    [Fact]
    public void Promote_RollbackToWarmPrevious_SwapsCurrentAndPrevious()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var release = NewRelease(store);
        store.Promote("hello", "prod", ValidatedGeneration(store, release).Number);
        store.Promote("hello", "prod", ValidatedGeneration(store, release).Number);

        var rolledBack = store.Promote("hello", "prod", 1);

        Assert.Equal(new Pointers("hello", "prod", 1, 2), rolledBack);
        Assert.Equal(GenerationState.Active, store.GetGeneration("hello", "prod", 1)!.State);
        Assert.Equal(GenerationState.Warm, store.GetGeneration("hello", "prod", 2)!.State);
    }

    [Fact]
    public void Promote_RollbackFromFailedCurrent_LeavesNoPrevious()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var release = NewRelease(store);
        store.Promote("hello", "prod", ValidatedGeneration(store, release).Number);
        store.Promote("hello", "prod", ValidatedGeneration(store, release).Number);
        store.SetGenerationState("hello", "prod", 2, GenerationState.Failed);

        var pointers = store.Promote("hello", "prod", 1);

        Assert.Equal(new Pointers("hello", "prod", 1, null), pointers);
    }

    [Theory]
    [InlineData("starting")]
    [InlineData("failed")]
    [InlineData("stopped")]
    public void Promote_UnvalidatedGeneration_IsRefusedAndChangesNothing(string stateName)
    {
        var state = StoreNames.ParseGenerationState(stateName);
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var release = NewRelease(store);
        var one = ValidatedGeneration(store, release);
        store.Promote("hello", "prod", one.Number);
        var candidate = store.CreateGeneration("hello", "prod", release.Id);
        if (state != GenerationState.Starting)
        {
            store.SetGenerationState("hello", "prod", candidate.Number, state);
        }

        var before = store.LastEventSeq();

        var error = Assert.Throws<StoreException>(() => store.Promote("hello", "prod", candidate.Number));

        Assert.Equal(StoreErrorCode.InvalidTransition, error.Code);
        Assert.Equal(new Pointers("hello", "prod", 1, null), store.GetPointers("hello", "prod"));
        Assert.Equal(before, store.LastEventSeq());
    }

    [Fact]
    public void Promote_CurrentAgain_IsANoOp()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var release = NewRelease(store);
        var one = ValidatedGeneration(store, release);
        store.Promote("hello", "prod", one.Number);
        var before = store.LastEventSeq();

        var pointers = store.Promote("hello", "prod", one.Number);

        Assert.Equal(new Pointers("hello", "prod", 1, null), pointers);
        Assert.Equal(before, store.LastEventSeq());
    }

    [Fact]
    public void SetGenerationState_ActiveWithoutPromotion_IsRefused()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var generation = ValidatedGeneration(store, NewRelease(store));

        var error = Assert.Throws<StoreException>(() =>
            store.SetGenerationState("hello", "prod", generation.Number, GenerationState.Active));

        Assert.Contains("promote", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RemoveRelease_UsedByCurrent_IsRefused_UnusedIsRemoved()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var used = NewRelease(store, digest: "sha256:aaaaaaaa11");
        var unused = NewRelease(store, digest: "sha256:bbbbbbbb22");
        store.Promote("hello", "prod", ValidatedGeneration(store, used).Number);
        var stale = store.CreateGeneration("hello", "prod", unused.Id);
        store.SetGenerationState("hello", "prod", stale.Number, GenerationState.Failed);

        var error = Assert.Throws<StoreException>(() => store.RemoveRelease(used.Id));
        store.RemoveRelease(unused.Id);

        Assert.Equal(StoreErrorCode.InvalidTransition, error.Code);
        Assert.Null(store.GetRelease(unused.Id));
        Assert.NotNull(store.GetRelease(used.Id));
        Assert.Equal("release.removed", store.ReadEvents(0)[^1].Type);
    }

    [Fact]
    public void EventAppended_AfterCommit_DeliversEventsInSeqOrder()
    {
        using var store = Open();
        var seen = new List<StoreEvent>();
        store.EventAppended += seen.Add;

        store.UpsertApp("hello", "app: hello\n");
        var log = store.AppendEvent("deploy.log", "hello", "prod", "d-x", new { line = "building", stream = "stdout" });
        Assert.Throws<StoreException>(() => store.CreateDeployment(new NewDeployment { App = "ghost" }));

        Assert.Equal([1L, 2L], seen.Select(e => e.Seq));
        Assert.Equal(log, seen[1]);
        Assert.Equal("{\"line\":\"building\",\"stream\":\"stdout\"}", log.DataJson);
    }

    [Fact]
    public void ReadEvents_ByDeploymentAfterSeq_ReturnsOnlyThatDeploymentInOrder()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var a = store.CreateDeployment(new NewDeployment { App = "hello" });
        var b = store.CreateDeployment(new NewDeployment { App = "hello" });
        store.StartDeployment(a.Id);
        store.AppendEvent("deploy.log", "hello", "prod", a.Id, new { line = "one" });
        store.AppendEvent("deploy.log", "hello", "prod", b.Id, new { line = "other" });

        var all = store.ReadEvents(0, a.Id);
        var tail = store.ReadEvents(all[0].Seq, a.Id, limit: 1);

        Assert.Equal(["deploy.queued", "deploy.start", "deploy.log"], all.Select(e => e.Type));
        Assert.Equal("deploy.start", Assert.Single(tail).Type);
    }

    [Fact]
    public void Tokens_CreateFindRevoke_StoresOnlyTheHash()
    {
        using var store = Open();

        var created = store.CreateToken("ci");
        var found = store.FindActiveToken(created.Secret);
        store.TouchToken(created.Token.Id);
        var revoked = store.RevokeToken(created.Token.Id);

        Assert.StartsWith("slw_", created.Secret, StringComparison.Ordinal);
        Assert.Equal(created.Token.Id, found!.Id);
        Assert.Equal(SlipwayStore.HashToken(created.Secret), found.Hash);
        Assert.NotNull(store.GetToken(created.Token.Id)!.LastUsedAt);
        Assert.True(revoked.IsRevoked);
        Assert.Null(store.FindActiveToken(created.Secret));
        Assert.Null(store.FindActiveToken("slw_wrong"));
        Assert.Equal(["token.created", "token.revoked"], store.ReadEvents(0).Select(e => e.Type));
        Assert.All(store.ReadEvents(0), e => Assert.DoesNotContain(created.Secret, e.DataJson, StringComparison.Ordinal));
        Assert.DoesNotContain(created.Secret, File.ReadAllText(DbPath + "-wal") + File.ReadAllText(DbPath), StringComparison.Ordinal);
    }

    [Fact]
    public void RemoveApp_Unknown_ReturnsFalseAndAppendsNothing()
    {
        using var store = Open();

        Assert.False(store.RemoveApp("ghost"));
        Assert.Equal(0, store.LastEventSeq());
    }

    [Fact]
    public async Task TwoStoresOnOneFile_ConcurrentWrites_AllCommitWithUniqueSeqs()
    {
        using var first = Open();
        using var second = Open();
        first.UpsertApp("hello", "app: hello\n");

        var writers = new[] { first, second }.Select(store => Task.Run(() =>
        {
            for (var i = 0; i < 25; i++)
            {
                store.AppendEvent("deploy.log", "hello", "prod", null, new { line = i });
                store.CreateDeployment(new NewDeployment { App = "hello" });
            }
        }));
        await Task.WhenAll(writers);

        var events = first.ReadEvents(0, limit: 1000);
        Assert.Equal(101, events.Count);
        Assert.Equal(events.Select(e => e.Seq).Distinct().Count(), events.Count);
        Assert.Equal(50, second.ListDeployments("hello", limit: 100).Select(d => d.Id).Distinct().Count());
    }

    [Fact]
    public void ListPointersAndLiveGenerations_AfterDeploys_ReturnWhatRecoveryNeeds()
    {
        using var store = Open();
        store.UpsertApp("hello", "app: hello\n");
        var release = NewRelease(store);
        store.Promote("hello", "prod", ValidatedGeneration(store, release).Number);
        store.Promote("hello", "test", ValidatedGeneration(store, release, env: "test").Number);
        var failed = store.CreateGeneration("hello", "prod", release.Id);
        store.SetGenerationState("hello", "prod", failed.Number, GenerationState.Failed);

        Assert.Equal([new Pointers("hello", "prod", 1, null), new Pointers("hello", "test", 1, null)], store.ListPointers());
        Assert.Equal([("prod", 1L), ("test", 1L)], store.ListLiveGenerations().Select(g => (g.Env, g.Number)));
    }
}
