namespace Slipway.ControlPlane.Dashboard.EdgeCharts;

/// <summary>The last <c>capacity</c> items, oldest first; adding beyond capacity drops the oldest. Immutable: adding returns a new buffer.</summary>
internal sealed class RingBuffer<T>
{
    private readonly T[] _items;
    private readonly int _start;

    public RingBuffer(int capacity)
        : this(new T[capacity], 0, 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
    }

    private RingBuffer(T[] items, int start, int count)
    {
        _items = items;
        _start = start;
        Count = count;
    }

    public int Count { get; }

    public int Capacity => _items.Length;

    /// <summary>A new buffer with <paramref name="item"/> appended (the backing array is copied; capacities here are small).</summary>
    public RingBuffer<T> Add(T item)
    {
        var items = (T[])_items.Clone();
        if (Count < Capacity)
        {
            items[(_start + Count) % Capacity] = item;
            return new RingBuffer<T>(items, _start, Count + 1);
        }

        items[_start] = item;
        return new RingBuffer<T>(items, (_start + 1) % Capacity, Count);
    }

    public IReadOnlyList<T> ToList()
    {
        var list = new List<T>(Count);
        for (var i = 0; i < Count; i++)
        {
            list.Add(_items[(_start + i) % Capacity]);
        }

        return list;
    }
}
