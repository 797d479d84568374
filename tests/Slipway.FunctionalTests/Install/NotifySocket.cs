using System.Net.Sockets;
using System.Text;

namespace Slipway.FunctionalTests.Install;

/// <summary>
/// A real <c>AF_UNIX</c> datagram socket standing where systemd's notify socket would: every datagram sent to it is
/// recorded with the moment it arrived, for the test to read as systemd would.
/// </summary>
internal sealed class NotifySocket : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly string _directory = Directory.CreateTempSubdirectory("slipway-notify-").FullName;
    private readonly List<(DateTimeOffset At, string Text)> _messages = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;

    public NotifySocket()
    {
        Path = System.IO.Path.Combine(_directory, "notify");
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
        _receiving = ReceiveAsync();
    }

    public string Path { get; }

    public IReadOnlyList<(DateTimeOffset At, string Text)> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>The first message carrying <paramref name="assignment"/> (e.g. <c>READY=1</c>), or null.</summary>
    public (DateTimeOffset At, string Text)? First(string assignment) =>
        Messages.Where(m => m.Text.Split('\n').Contains(assignment)).Select(m => ((DateTimeOffset, string)?)m).FirstOrDefault();

    /// <summary>The values of <c>MAINPID=</c> in the order they arrived.</summary>
    public IReadOnlyList<int> MainPids() =>
        [.. Messages.SelectMany(m => m.Text.Split('\n')).Where(l => l.StartsWith("MAINPID=", StringComparison.Ordinal)).Select(l => int.Parse(l["MAINPID=".Length..]))];

    private async Task ReceiveAsync()
    {
        var buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (_messages)
            {
                _messages.Add((DateTimeOffset.UtcNow, Encoding.UTF8.GetString(buffer, 0, received)));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _receiving;
        _socket.Dispose();
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
