using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Api;

/// <summary>
/// Writes journal events as server-sent events: past events first (after <c>Last-Event-ID</c>), then live
/// ones, without gaps or duplicates (subscribe first, replay, then skip what the replay already sent).
/// A deployment's stream ends after its terminal event.
/// </summary>
internal static class EventStream
{
    private static readonly HashSet<string> TerminalTypes = [EventTypes.DeployDone, EventTypes.DeployCancelled, EventTypes.DeploySuperseded];

    public static async Task WriteAsync(HttpContext context, SlipwayStore store, EventHub hub, string? deploymentId, bool replayAllByDefault, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        var after = ReadLastEventId(context) ?? (replayAllByDefault ? 0 : store.LastEventSeq());
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        await context.Response.Body.FlushAsync(cancellationToken);

        using var subscription = hub.Subscribe();
        var last = after;
        while (true)
        {
            var page = store.ReadEvents(last, deploymentId, 500);
            foreach (var e in page)
            {
                await WriteEventAsync(context, e, json, cancellationToken);
                last = e.Seq;
                if (deploymentId is not null && TerminalTypes.Contains(e.Type))
                {
                    return;
                }
            }

            if (page.Count < 500)
            {
                break;
            }
        }

        await context.Response.Body.FlushAsync(cancellationToken);
        using var heartbeat = new PeriodicTimer(TimeSpan.FromSeconds(15));
        var reader = subscription.Reader;
        var heartbeatTick = heartbeat.WaitForNextTickAsync(cancellationToken).AsTask();
        Task<bool>? next = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            next ??= reader.WaitToReadAsync(cancellationToken).AsTask();
            var done = await Task.WhenAny(next, heartbeatTick);
            if (done == heartbeatTick)
            {
                await context.Response.WriteAsync(": keep-alive\n\n", cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
                heartbeatTick = heartbeat.WaitForNextTickAsync(cancellationToken).AsTask();
                continue;
            }

            bool more;
            try
            {
                more = await next;
                next = null;
            }
            catch (ChannelClosedException)
            {
                return; // fell behind: the client reconnects with Last-Event-ID
            }

            if (!more)
            {
                return;
            }

            while (reader.TryRead(out var e))
            {
                if (e.Seq <= last || (deploymentId is not null && e.DeploymentId != deploymentId))
                {
                    continue;
                }

                await WriteEventAsync(context, e, json, cancellationToken);
                last = e.Seq;
                if (deploymentId is not null && TerminalTypes.Contains(e.Type))
                {
                    await context.Response.Body.FlushAsync(cancellationToken);
                    return;
                }
            }

            await context.Response.Body.FlushAsync(cancellationToken);
        }
    }

    private static long? ReadLastEventId(HttpContext context)
    {
        var text = context.Request.Headers["Last-Event-ID"].ToString();
        if (string.IsNullOrEmpty(text))
        {
            text = context.Request.Query["lastEventId"].ToString();
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : null;
    }

    private static async Task WriteEventAsync(HttpContext context, StoreEvent e, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        var data = JsonSerializer.Serialize(Views.Of(e), json);
        var text = new StringBuilder()
            .Append("id: ").Append(e.Seq.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("event: ").Append(e.Type).Append('\n')
            .Append("data: ").Append(data).Append("\n\n")
            .ToString();
        await context.Response.WriteAsync(text, cancellationToken);
    }
}
