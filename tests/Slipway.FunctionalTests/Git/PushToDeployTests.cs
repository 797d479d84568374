using System.Net;
using System.Text;
using System.Text.Json;
using Slipway.FunctionalTests.ControlPlane;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Git;

/// <summary>
/// Push to deploy against the real binary: real bare repositories with real commits, deliveries built from
/// each forge's documented push payload and signed like the forge signs them, and the deployed revision read
/// back through the app's <c>/version</c> via the edge.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class PushToDeployTests(SlipwayFixture fixture)
{
    private const string Secret = "a-webhook-secret-long-enough-0123456789";
    private static readonly TimeSpan DeployDeadline = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("forgejo")]
    [InlineData("gitea")]
    [InlineData("github")]
    public async Task Push_SignedDelivery_DeploysExactlyThePushedSha(string forge)
    {
        using var repository = await GitRepository.CreateAsync("push-" + forge);
        var pushed = await repository.CommitAsync($"{forge} v1");
        await repository.PushAsync();
        var spec = await RegisterAsync(repository);
        using var forgeClient = new ForgeDelivery(fixture.Slipway.AdminUrl);

        var (status, answer, _) = await forgeClient.SendAsync(forge, "push",
            ForgeDelivery.Payload(forge, "push", repository, after: pushed), Secret);
        // Pushed after the delivery was accepted: the deploy fetches it too, but deploys the sha the delivery named.
        var later = await repository.CommitAsync($"{forge} v2, pushed too but not named by the delivery");
        await repository.PushAsync();

        Assert.True(status == HttpStatusCode.Accepted, $"{(int)status} {answer}");
        var queued = answer.GetProperty("deployments").EnumerateArray().Single();
        Assert.Equal(spec.App, queued.GetProperty("app").GetString());
        Assert.Equal(pushed, queued.GetProperty("revision").GetString());
        var done = await fixture.Admin.WaitUntilTerminalAsync(queued.GetProperty("id").GetString()!, DeployDeadline);
        Assert.True(done.Status == "succeeded", $"{done.Status}: {done.ErrorSummary}");
        Assert.Equal(pushed, done.Revision);
        var version = await VersionAsync(spec);
        Assert.Equal(pushed, version.GetProperty("revision").GetString());
        Assert.NotEqual(later, version.GetProperty("revision").GetString());
        Assert.Equal($"{forge} v1 gen={done.Generation}", (await fixture.Slipway.EdgeGetAsync(spec.Host, "/")).Body);
    }

    [Fact]
    public async Task Deliveries_ThatMustNotDeploy_GetTheirAnswerAndQueueNothing()
    {
        using var repository = await GitRepository.CreateAsync("push-ignored");
        var main = await repository.CommitAsync("main v1");
        await repository.PushAsync();
        var feature = await repository.CommitAsync("feature work", branch: "feature");
        await repository.PushAsync("feature");
        var spec = await RegisterAsync(repository);
        using var forge = new ForgeDelivery(fixture.Slipway.AdminUrl);
        var push = ForgeDelivery.Payload("github", "push", repository, after: main);

        var unsigned = await forge.SendAsync("github", "push", push, secret: null);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.Status);
        Assert.Contains("No signature", unsigned.Answer.GetProperty("error").GetString());

        var wrong = await forge.SendAsync("github", "push", push, secret: "not-the-secret-of-any-app-at-all");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Contains("does not match", wrong.Answer.GetProperty("error").GetString());

        var malformed = await forge.SendAsync("gitea", "push", push, secret: null, signatureOverride: "zz-not-hex");
        Assert.Equal(HttpStatusCode.Unauthorized, malformed.Status);

        var deletion = await forge.SendAsync("gitea", "push",
            ForgeDelivery.Payload("gitea", "push", repository, after: new string('0', 40), before: main), Secret);
        AssertIgnored(deletion, "was deleted");

        var otherBranch = await forge.SendAsync("forgejo", "push",
            ForgeDelivery.Payload("forgejo", "push", repository, "refs/heads/feature", after: feature), Secret);
        AssertIgnored(otherBranch, "push to branch 'feature'; the app deploys branch 'main'");

        var tag = await forge.SendAsync("github", "push",
            ForgeDelivery.Payload("github", "push", repository, "refs/tags/v1", after: main), Secret);
        AssertIgnored(tag, "does not deploy tags");

        var issue = await forge.SendAsync("github", "issues", push, Secret);
        AssertIgnored(issue, "event 'issues' is not a push");

        var ping = await forge.SendAsync("github", "ping", ForgeDelivery.Payload("github", "ping", repository), Secret);
        Assert.Equal(HttpStatusCode.OK, ping.Status);
        Assert.Contains("pong", ping.Answer.GetProperty("message").GetString());

        var tooLarge = await forge.SendRawAsync("github", Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', (5 * 1024 * 1024) + 1) + "\"}"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge);

        Assert.Empty(await fixture.Admin.DeploymentsAsync(spec.App));

        // One real push, then the same delivery again: the replay gets the first answer and queues nothing.
        var delivery = Guid.NewGuid().ToString();
        var first = await forge.SendAsync("github", "push", push, Secret, delivery);
        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        var replay = await forge.SendAsync("github", "push", push, Secret, delivery);
        Assert.Equal(HttpStatusCode.Accepted, replay.Status);
        Assert.True(replay.Replayed);
        Assert.Equal(first.Answer.ToString(), replay.Answer.ToString());
        var id = first.Answer.GetProperty("deployments")[0].GetProperty("id").GetString()!;
        var done = await fixture.Admin.WaitUntilTerminalAsync(id, DeployDeadline);
        Assert.True(done.Status == "succeeded", $"{done.Status}: {done.ErrorSummary}");
        var again = await forge.SendAsync("github", "push", push, Secret, delivery);
        Assert.True(again.Replayed);
        Assert.Equal(id, Assert.Single(await fixture.Admin.DeploymentsAsync(spec.App)).Id);
    }

    [Fact]
    public async Task ReplayedOldPush_UnderANewDeliveryId_IsJournaledAndIgnoredAndTheNewerRevisionKeepsServing()
    {
        using var repository = await GitRepository.CreateAsync("push-replay");
        var v1 = await repository.CommitAsync("replay v1");
        await repository.PushAsync();
        var spec = await RegisterAsync(repository);
        using var forge = new ForgeDelivery(fixture.Slipway.AdminUrl);
        var captured = ForgeDelivery.Payload("github", "push", repository, after: v1);
        await DeliverAndWaitAsync(forge, captured);
        var v2 = await repository.CommitAsync("replay v2");
        await repository.PushAsync();
        await DeliverAndWaitAsync(forge, ForgeDelivery.Payload("github", "push", repository, after: v2, before: v1));

        // The captured v1 delivery, signed and all, sent again under a fresh delivery id.
        var replay = await forge.SendAsync("github", "push", captured, Secret);

        AssertIgnored(replay, $"revision {v1} is not the current tip of 'refs/heads/main' (now {v2})");
        Assert.False(replay.Replayed);
        Assert.Equal(2, (await fixture.Admin.DeploymentsAsync(spec.App)).Count);
        Assert.Equal(v2, (await VersionAsync(spec)).GetProperty("revision").GetString());
        var journaled = StoreReader.Query(fixture.Slipway.Home, "SELECT data_json FROM events WHERE app = $app AND type = 'webhook.ignored'",
            r => r.GetString(0), ("$app", spec.App));
        Assert.Contains(journaled, j => j.Contains(v1, StringComparison.Ordinal) && j.Contains("not the current tip", StringComparison.Ordinal));

        // Without a delivery id it could not be told from its own replay: refused, nothing queued.
        var anonymous = await forge.SendAsync("github", "push", ForgeDelivery.Payload("github", "push", repository, after: v2, before: v1), Secret, deliveryId: "");
        Assert.Equal(HttpStatusCode.BadRequest, anonymous.Status);
        Assert.Contains("X-GitHub-Delivery", anonymous.Answer.GetProperty("error").GetString());
        Assert.Equal(2, (await fixture.Admin.DeploymentsAsync(spec.App)).Count);
    }

    private async Task DeliverAndWaitAsync(ForgeDelivery forge, string payload)
    {
        var (status, answer, _) = await forge.SendAsync("github", "push", payload, Secret);
        Assert.True(status == HttpStatusCode.Accepted, $"{(int)status} {answer}");
        var done = await fixture.Admin.WaitUntilTerminalAsync(answer.GetProperty("deployments")[0].GetProperty("id").GetString()!, DeployDeadline);
        Assert.True(done.Status == "succeeded", $"{done.Status}: {done.ErrorSummary}");
    }

    [Fact]
    public async Task FivePushes_InQuickSuccession_AtMostTwoRunAndTheLastIsTheNewestSha()
    {
        using var repository = await GitRepository.CreateAsync("push-burst");
        var spec = await RegisterAsync(repository, build: [("slow", "sleep 2")]);
        using var forge = new ForgeDelivery(fixture.Slipway.AdminUrl);
        var shas = new List<string>();
        var ids = new List<string>();
        string? before = null;
        for (var i = 1; i <= 5; i++)
        {
            var sha = await repository.CommitAsync($"burst {i}");
            await repository.PushAsync();
            var (status, answer, _) = await forge.SendAsync("gitea", "push", ForgeDelivery.Payload("gitea", "push", repository, after: sha, before: before), Secret);
            Assert.True(status == HttpStatusCode.Accepted, $"push {i}: {(int)status} {answer}");
            ids.Add(answer.GetProperty("deployments")[0].GetProperty("id").GetString()!);
            shas.Add(sha);
            before = sha;
        }

        var last = await fixture.Admin.WaitUntilTerminalAsync(ids[^1], DeployDeadline);
        Assert.True(last.Status == "succeeded", $"{last.Status}: {last.ErrorSummary}");
        Assert.Equal(shas[^1], last.Revision);
        Assert.Equal(shas[^1], (await VersionAsync(spec)).GetProperty("revision").GetString());

        var all = await fixture.Admin.DeploymentsAsync(spec.App);
        Assert.Equal(5, all.Count);
        var ran = all.Where(d => d.Status != "superseded").ToList();
        Assert.InRange(ran.Count, 1, 2);
        Assert.Contains(ran, d => d.Id == ids[^1]);
        foreach (var superseded in all.Where(d => d.Status == "superseded"))
        {
            var replacement = all.Single(d => d.Id == superseded.SupersededBy);
            Assert.Contains($"revision {replacement.RequestedRevision}", superseded.ErrorSummary);
            var journal = await JournalAsync(superseded.Id);
            Assert.Contains(journal, e => e.Type == "deploy.superseded"
                && e.Data.GetProperty("supersededByRevision").GetString() == replacement.RequestedRevision
                && e.Data.GetProperty("revision").GetString() == superseded.RequestedRevision);
        }
    }

    [Fact]
    public async Task Deploy_CliRevisions_ShortShaDeploysAndUnknownRevisionFailsInSourceNamingIt()
    {
        using var repository = await GitRepository.CreateAsync("push-rev");
        var first = await repository.CommitAsync("rev v1");
        var second = await repository.CommitAsync("rev v2");
        await repository.PushAsync();
        var spec = await RegisterAsync(repository);

        var head = await fixture.Slipway.CliAsync("deploy", spec.App);
        Assert.True(head.ExitCode == 0, $"{head.Stdout}\n{head.Stderr}");
        Assert.Equal(second, (await VersionAsync(spec)).GetProperty("revision").GetString());

        var byShortSha = await fixture.Slipway.CliAsync("deploy", spec.App, "--rev", first[..8]);
        Assert.True(byShortSha.ExitCode == 0, $"{byShortSha.Stdout}\n{byShortSha.Stderr}");
        var serving = await VersionAsync(spec);
        Assert.Equal(first, serving.GetProperty("revision").GetString());

        var unknown = await fixture.Slipway.CliAsync("deploy", spec.App, "--rev", "no-such-branch");
        Assert.True(unknown.ExitCode == 1, $"{unknown.Stdout}\n{unknown.Stderr}");
        Assert.Contains("revision 'no-such-branch' does not exist", unknown.Stdout + unknown.Stderr);
        var failed = (await fixture.Admin.DeploymentsAsync(spec.App))[0];
        Assert.Equal("failed", failed.Status);
        Assert.Equal("source", failed.Phase);
        Assert.Contains("no-such-branch", failed.ErrorSummary);
        Assert.Null(failed.Release);
        Assert.Equal(serving.ToString(), (await VersionAsync(spec)).ToString());
        Assert.Equal(2, (await fixture.Admin.ReleasesAsync(spec.App)).Count);
    }

    private async Task<TestAppSpec> RegisterAsync(GitRepository repository, IReadOnlyList<(string, string)>? build = null)
    {
        var spec = new TestAppSpec { App = repository.Name, Source = (repository.BarePath, "main"), Build = build ?? [("check", "true")] };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());
        var set = await fixture.Slipway.CliWithInputAsync(Secret + "\n", "webhooks", "secret", spec.App);
        Assert.True(set.ExitCode == 0, $"{set.Stdout}\n{set.Stderr}");
        Assert.DoesNotContain(Secret, set.Stdout + set.Stderr);
        return spec;
    }

    private async Task<JsonElement> VersionAsync(TestAppSpec spec)
    {
        var (status, body) = await fixture.Slipway.EdgeGetAsync(spec.Host, "/version");
        Assert.True(status == HttpStatusCode.OK, $"/version of {spec.App}: {(int)status} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<IReadOnlyList<(string Type, JsonElement Data)>> JournalAsync(string deploymentId)
    {
        // A finished deployment's event stream replays its journal and ends after the terminal event.
        var text = await fixture.Admin.Client.GetStringAsync($"/api/v1/deployments/{deploymentId}/events");
        var events = new List<(string, JsonElement)>();
        string? type = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..].Trim();
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && type is not null)
            {
                var data = JsonDocument.Parse(line["data: ".Length..]).RootElement;
                events.Add((type, data.TryGetProperty("data", out var inner) ? inner.Clone() : data.Clone()));
                type = null;
            }
        }

        return events;
    }

    private static void AssertIgnored((HttpStatusCode Status, JsonElement Answer, bool Replayed) result, string reason)
    {
        Assert.True(result.Status == HttpStatusCode.OK, $"{(int)result.Status} {result.Answer}");
        Assert.Contains(reason, result.Answer.GetProperty("message").GetString());
        Assert.Equal(0, result.Answer.TryGetProperty("deployments", out var d) ? d.GetArrayLength() : 0);
    }
}
