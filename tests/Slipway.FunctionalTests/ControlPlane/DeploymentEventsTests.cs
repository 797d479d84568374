using System.Globalization;
using System.Net;
using System.Text.Json;
using Slipway.Client;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.ControlPlane;

/// <summary>A deployment's server-sent events: the whole story replayed, live without gaps, resumable with Last-Event-ID.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class DeploymentEventsTests(SlipwayFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Events_AfterDeployment_ReplaysAllAndEndsAfterDone()
    {
        var spec = new TestAppSpec { App = "events", Build = [("greet", "echo hello from the build")] };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());
        var deployment = await fixture.Admin.DeploySucceededAsync(spec.App, fixture.Sources.Version(spec, "events v1"));

        var events = await ReadEventsAsync(deployment.Id, lastEventId: null);

        Assert.Equal(["deploy.queued", "deploy.start"], events.Take(2).Select(e => e.Event));
        Assert.Equal("deploy.done", events[^1].Event);
        Assert.Equal(1, events.Count(e => e.Event == "deploy.done"));
        var seqs = events.Select(e => long.Parse(e.Id!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal(seqs.Count, seqs.Distinct().Count());
        Assert.All(events, e => Assert.Equal(deployment.Id, Data(e).GetProperty("deploymentId").GetString()));
        var phases = events.Where(e => e.Event == "deploy.phase").Select(e => Data(e).GetProperty("data").GetProperty("phase").GetString()).ToList();
        Assert.Equal(["source", "build", "release", "start", "validate", "activate", "drain", "done"], phases);
        Assert.Contains(events, e => e.Event == "deploy.log" && Data(e).GetProperty("data").GetProperty("line").GetString() == "[greet] hello from the build");
        var done = Data(events[^1]).GetProperty("data");
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Events_WithLastEventId_OnlyLaterEvents()
    {
        var spec = new TestAppSpec { App = "resume" };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());
        var deployment = await fixture.Admin.DeploySucceededAsync(spec.App, fixture.Sources.Version(spec, "resume v1"));
        var all = await ReadEventsAsync(deployment.Id, lastEventId: null);
        var middle = all[all.Count / 2].Id!;

        var later = await ReadEventsAsync(deployment.Id, lastEventId: middle);

        Assert.Equal(all.Skip((all.Count / 2) + 1).Select(e => e.Id), later.Select(e => e.Id));
        Assert.Equal("deploy.done", later[^1].Event);
    }

    [Fact]
    public async Task Events_FollowedWhileRunning_SameAsReplayWithoutGapsOrDuplicates()
    {
        var spec = new TestAppSpec { App = "follow", Build = [("slow", "echo one; sleep 1; echo two")] };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());
        var started = await fixture.Admin.DeployAsync(spec.App, fixture.Sources.Version(spec, "follow v1"));

        var live = await ReadEventsAsync(started.Id, lastEventId: null);
        var replay = await ReadEventsAsync(started.Id, lastEventId: null);

        Assert.Equal("succeeded", (await fixture.Admin.GetDeploymentAsync(started.Id)).Status);
        Assert.Equal(replay.Select(e => (e.Id, e.Event, e.Data)), live.Select(e => (e.Id, e.Event, e.Data)));
        Assert.Equal("deploy.done", live[^1].Event);
    }

    private async Task<List<ServerSentEvent>> ReadEventsAsync(string id, string? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/deployments/{id}/events");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var timeout = new CancellationTokenSource(Deadline);
        using var response = await fixture.Admin.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<ServerSentEvent>();
        await foreach (var e in ServerSentEventReader.ReadAsync(await response.Content.ReadAsStreamAsync(timeout.Token), timeout.Token))
        {
            events.Add(e);
        }

        // The stream ended on its own (the server closed it after the terminal event), well before the deadline.
        Assert.False(timeout.IsCancellationRequested);
        return events;
    }

    private static JsonElement Data(ServerSentEvent e) => JsonDocument.Parse(e.Data).RootElement;
}
