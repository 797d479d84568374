using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Slipway.Edge.Forwarding;

/// <summary>
/// An accepted HTTP/1.1 upgrade (WebSocket): the target answered 101, so both connections become raw
/// byte streams copied both ways until one side closes or the target's drain deadline passes.
/// </summary>
internal static class UpgradeTunnel
{
    private const int BufferSize = 16 * 1024;

    public static async Task<ForwarderError> RunAsync(
        HttpContext context, IHttpUpgradeFeature upgrade, HttpResponseMessage response, CancellationToken token, CancellationToken drainToken)
    {
        HttpForwarder.CopyResponseHeaders(context, response, keepUpgrade: true);
        Stream backend;
        Stream client;
        try
        {
            backend = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            client = await upgrade.UpgradeAsync().ConfigureAwait(false);
        }
        catch (Exception) when (!token.IsCancellationRequested)
        {
            return ForwarderError.UpgradeFailed;
        }

        await using (backend.ConfigureAwait(false))
        {
            using var tunnel = CancellationTokenSource.CreateLinkedTokenSource(token);
            var up = CopyAsync(client, backend, tunnel.Token);
            var down = CopyAsync(backend, client, tunnel.Token);
            await Task.WhenAny(up, down).ConfigureAwait(false);

            // One side closed: the conversation is over, stop the other direction too.
            await tunnel.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }

        if (drainToken.IsCancellationRequested)
        {
            return ForwarderError.DrainDeadline;
        }

        return context.RequestAborted.IsCancellationRequested ? ForwarderError.ClientAborted : ForwarderError.None;
    }

    private static async Task CopyAsync(Stream from, Stream to, CancellationToken token)
    {
        var buffer = new byte[BufferSize];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                await to.FlushAsync(token).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // Either side going away ends the tunnel; the caller decides what it means.
        }
    }
}
