using System.Net;
using System.Net.Sockets;

namespace Slipway.ControlPlane.Runtime;

/// <summary>
/// Hands out loopback ports for candidate generations from a configured range. A port is free when no
/// live generation holds it and it can be bound right now; the bind check catches ports taken by
/// anything else on the machine. Allocation is serialised and remembers recent grants so two
/// concurrent deploys never receive the same port before either has started listening.
/// </summary>
internal sealed class PortAllocator(int first, int last)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, DateTimeOffset> _recent = [];
    private int _next = first;

    public int First { get; } = first;

    public int Last { get; } = last;

    /// <summary>Parses a range such as <c>20000-20999</c>.</summary>
    public static PortAllocator Parse(string range)
    {
        var parts = range.Split('-', 2);
        if (parts.Length != 2 || !int.TryParse(parts[0], out var a) || !int.TryParse(parts[1], out var b) || a < 1024 || b > 65535 || a > b)
        {
            throw new ArgumentException($"Port range '{range}' is not valid: use FIRST-LAST between 1024 and 65535, e.g. 20000-20999.");
        }

        return new PortAllocator(a, b);
    }

    public int Allocate(IReadOnlySet<int> inUse, DateTimeOffset now)
    {
        lock (_gate)
        {
            var size = Last - First + 1;
            for (var i = 0; i < size; i++)
            {
                var port = _next;
                _next = _next == Last ? First : _next + 1;
                if (inUse.Contains(port))
                {
                    continue;
                }

                if (_recent.TryGetValue(port, out var granted) && now - granted < TimeSpan.FromMinutes(2))
                {
                    continue;
                }

                if (CanBind(port))
                {
                    _recent[port] = now;
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"No free port in {First}-{Last}: stop unused generations or widen the range with --ports.");
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
