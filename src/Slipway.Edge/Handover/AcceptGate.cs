using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Slipway.Edge.Handover;

/// <summary>
/// Lets an edge that handed its listening sockets to a successor stop taking connections before it stops serving.
/// Both edges accept from the same sockets during a handover. Kestrel's stop closes a connection whose first request
/// it has not started reading, even when the client has already sent it, so a connection the old edge accepted just
/// before its stop was closed unanswered (curl: "Empty reply from server"; seen under systemd, 2 of 28 runs). So the
/// old edge first stops accepting (every new connection goes to the successor), then waits until each connection it
/// did accept has started its first request or closed (bounded), and only then stops Kestrel, which drains requests.
/// </summary>
/// <remarks>
/// The gate is the transport of the edge's traffic listeners: it wraps Kestrel's socket transport and ends the accept
/// loop by cancelling the pending accept, which leaves a connection not yet taken in the kernel's queue for the
/// successor. A connection counts as waiting from its accept until its first request starts.
/// </remarks>
internal sealed class AcceptGate : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly SocketTransportFactory _sockets;
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly ConcurrentDictionary<string, byte> _waiting = new(StringComparer.Ordinal);

    public AcceptGate(ILoggerFactory loggerFactory) =>
        _sockets = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), loggerFactory);

    /// <summary>Connections accepted whose first request has not started yet.</summary>
    public int Waiting => _waiting.Count;

    public bool CanBind(EndPoint endpoint) => _sockets.CanBind(endpoint);

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new Listener(await _sockets.BindAsync(endpoint, cancellationToken).ConfigureAwait(false), _stopAccepting.Token);

    /// <summary>Counts a connection as waiting for its first request while it is open (a Kestrel connection middleware).</summary>
    public void Track(ListenOptions listen) => listen.Use(next => async connection =>
    {
        _waiting.TryAdd(connection.ConnectionId, 0);
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            _waiting.TryRemove(connection.ConnectionId, out _);
        }
    });

    /// <summary>A request started on its connection (an HTTP middleware; one dictionary miss per later request).</summary>
    public Task RequestStartedAsync(HttpContext context, RequestDelegate next)
    {
        if (!_waiting.IsEmpty)
        {
            _waiting.TryRemove(context.Connection.Id, out _);
        }

        return next(context);
    }

    /// <summary>
    /// Stops accepting, then waits until every accepted connection has started a request or closed, at most
    /// <paramref name="bound"/>; true when none was left waiting.
    /// </summary>
    public async Task<bool> StopAcceptingAsync(TimeSpan bound, TimeProvider time)
    {
        await _stopAccepting.CancelAsync().ConfigureAwait(false);
        var until = time.GetTimestamp() + (long)(bound.TotalSeconds * time.TimestampFrequency);
        while (!_waiting.IsEmpty)
        {
            if (time.GetTimestamp() >= until)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), time).ConfigureAwait(false);
        }

        return true;
    }

    private sealed class Listener(IConnectionListener inner, CancellationToken stopAccepting) : IConnectionListener
    {
        public EndPoint EndPoint => inner.EndPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopAccepting);
            try
            {
                return await inner.AcceptAsync(either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopAccepting.IsCancellationRequested)
            {
                // Null ends Kestrel's accept loop for this listener, as when it is unbound.
                return null;
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => inner.UnbindAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
