using System.Threading.Channels;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Api;

/// <summary>
/// Fans committed journal events out to live server-sent-event streams. Each subscriber has a bounded
/// buffer; a subscriber too slow to keep up is dropped and its client reconnects with Last-Event-ID,
/// replaying from the journal, so nothing is lost and the store is never blocked by a slow reader.
/// </summary>
internal sealed class EventHub : IDisposable
{
    private readonly SlipwayStore _store;
    private readonly Lock _gate = new();
    private readonly List<Channel<StoreEvent>> _subscribers = [];

    public EventHub(SlipwayStore store)
    {
        _store = store;
        _store.EventAppended += Publish;
    }

    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<StoreEvent>(new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        return new Subscription(this, channel);
    }

    public void Dispose()
    {
        _store.EventAppended -= Publish;
        lock (_gate)
        {
            foreach (var channel in _subscribers)
            {
                channel.Writer.TryComplete();
            }

            _subscribers.Clear();
        }
    }

    private void Publish(StoreEvent appended)
    {
        lock (_gate)
        {
            for (var i = _subscribers.Count - 1; i >= 0; i--)
            {
                if (!_subscribers[i].Writer.TryWrite(appended))
                {
                    _subscribers[i].Writer.TryComplete(new InvalidOperationException("event subscriber fell behind"));
                    _subscribers.RemoveAt(i);
                }
            }
        }
    }

    private void Remove(Channel<StoreEvent> channel)
    {
        lock (_gate)
        {
            _subscribers.Remove(channel);
        }
    }

    internal sealed class Subscription(EventHub hub, Channel<StoreEvent> channel) : IDisposable
    {
        public ChannelReader<StoreEvent> Reader => channel.Reader;

        public void Dispose() => hub.Remove(channel);
    }
}
