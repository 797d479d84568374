using System.Globalization;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Slipway.Edge.Control;
using Slipway.Edge.Control.Contracts;

namespace Slipway.Edge.Handover;

/// <summary>
/// A control change that waited at the old edge's frozen gate while the new edge took over is sent on to the
/// new edge over the same socket path, and its answer relayed, so the caller sees one answer, not an error.
/// Until the old edge has unbound its copy of the socket, a forward may land on the old edge again; it then
/// waits a moment and goes round once more (bounded by <see cref="MaximumHops"/>).
/// </summary>
internal static class ControlForwarder
{
    public const string HopHeader = "X-Slipway-Handover-Hops";
    public const int MaximumHops = 100;

    private static readonly TimeSpan HopDelay = TimeSpan.FromMilliseconds(20);

    public static async Task ForwardAsync(HttpContext context, string socketPath, CancellationToken cancellationToken)
    {
        var hops = int.TryParse(context.Request.Headers[HopHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var seen) ? seen : 0;
        if (hops >= MaximumHops)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            await context.Response.WriteAsJsonAsync(
                new ControlError { Error = "The edge was upgraded while this request waited and the new edge could not be reached; send it again." },
                ControlJson.Options, cancellationToken);
            return;
        }

        if (hops > 0)
        {
            await Task.Delay(HopDelay, cancellationToken);
        }

        using var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            UseProxy = false,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method),
            new Uri("http://edge" + context.Request.Path + context.Request.QueryString));
        request.Headers.TryAddWithoutValidation(HopHeader, (hops + 1).ToString(CultureInfo.InvariantCulture));
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
            if (context.Request.ContentType is { } type)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        context.Response.StatusCode = (int)response.StatusCode;
        if (response.Content.Headers.ContentType is { } contentType)
        {
            context.Response.ContentType = contentType.ToString();
        }

        if (response.Headers.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString();
        }

        await response.Content.CopyToAsync(context.Response.Body, cancellationToken);
    }
}
