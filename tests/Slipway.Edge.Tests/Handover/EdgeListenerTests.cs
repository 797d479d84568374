using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Slipway.Edge.Handover;

namespace Slipway.Edge.Tests.Handover;

public sealed class EdgeListenerTests
{
    /// <summary>
    /// The heart of the upgrade: two Kestrel servers (old and new edge) serve one listening socket; the old one
    /// unbinds while requests keep coming, and the new one must keep accepting — .NET must not shut the socket down.
    /// </summary>
    [Fact]
    public async Task KestrelUnbind_OnSharedListener_OtherServerKeepsAccepting()
    {
        using var listener = EdgeListener.BindTcp(EdgeListener.Http, new IPEndPoint(IPAddress.Loopback, 0));
        using var received = Handed(listener);
        await using var old = await ServeAsync(listener.DuplicateForServer(), "old");
        await using var next = await ServeAsync(received.DuplicateForServer(), "new");
        using var client = new HttpClient { BaseAddress = new Uri($"http://{listener.IPEndPoint}/") };
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var answers = 0;
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync("/");
                    var body = await response.Content.ReadAsStringAsync();
                    Interlocked.Increment(ref response.IsSuccessStatusCode && body.Length > 0 ? ref answers : ref failures);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();
        await WaitForAsync(() => Volatile.Read(ref answers) > 50);

        listener.MarkShared();
        await old.StopAsync();
        await old.DisposeAsync();
        listener.Dispose();
        var afterStop = Volatile.Read(ref answers);
        await WaitForAsync(() => Volatile.Read(ref answers) > afterStop + 200);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Equal(0, failures);
        using var fresh = new HttpClient { BaseAddress = new Uri($"http://{received.IPEndPoint}/") };
        Assert.Equal("new", await fresh.GetStringAsync("/"));
    }

    /// <summary>Why <see cref="EdgeListener.MarkShared"/> exists: .NET shuts down a socket that is busy (here: in accept) when it is closed.</summary>
    [Fact]
    public async Task Dispose_BusyCopyOfSharedListener_ShutsItDownForEveryoneUnlessMarkedShared()
    {
        Assert.False(await OtherCopyAcceptsAfterBusyCloseAsync(markShared: false));
        Assert.True(await OtherCopyAcceptsAfterBusyCloseAsync(markShared: true));
    }

    [Fact]
    public async Task BindUnix_HandedOverAndOriginalClosed_SocketFileStaysAndAnswers()
    {
        var home = Directory.CreateTempSubdirectory("slipway-listener-").FullName;
        try
        {
            var path = Path.Combine(home, "edge.sock");
            var listener = EdgeListener.BindUnix(EdgeListener.Control, path);
            using var received = Handed(listener);
            await using (var old = await ServeAsync(listener.DuplicateForServer(), "old"))
            {
                listener.MarkShared();
                await old.StopAsync();
            }

            listener.Dispose();

            Assert.True(File.Exists(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            await using var next = await ServeAsync(received.DuplicateForServer(), "new");
            using var client = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (_, token) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), token);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            });
            Assert.Equal("new", await client.GetStringAsync("http://edge/"));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private static async Task<bool> OtherCopyAcceptsAfterBusyCloseAsync(bool markShared)
    {
        using var listener = EdgeListener.BindTcp(EdgeListener.Http, new IPEndPoint(IPAddress.Loopback, 0));
        var copy = (int)listener.DuplicateForServer();
        var busy = new Socket(new SafeSocketHandle(copy, ownsHandle: true));
        var thread = 0;
        var accepting = Task.Factory.StartNew(() =>
        {
            Volatile.Write(ref thread, int.Parse(File.ReadAllText("/proc/thread-self/stat").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
            try
            {
                busy.Accept().Dispose();
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }, TaskCreationOptions.LongRunning);
        // Until the accept blocks in the kernel, where it holds the handle (x86-64 accept/accept4, arm64 accept/accept4).
        await WaitForAsync(() => Volatile.Read(ref thread) != 0
            && File.ReadAllText($"/proc/self/task/{thread}/syscall").Split(' ')[0] is "43" or "288" or "202" or "242");
        if (markShared)
        {
            listener.MarkShared();
        }

        // A close does not wake an accept blocked on a socket that stays open elsewhere, so Dispose waits for it;
        // one connection lets it return when the socket was left alone.
        var disposing = Task.Run(busy.Dispose);
        using (var wake = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            if (markShared)
            {
                await wake.ConnectAsync(listener.IPEndPoint!).WaitAsync(TimeSpan.FromSeconds(10));
            }

            await disposing.WaitAsync(TimeSpan.FromSeconds(10));
            await accepting.WaitAsync(TimeSpan.FromSeconds(10));
        }

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await client.ConnectAsync(listener.IPEndPoint!).WaitAsync(TimeSpan.FromSeconds(10));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>What the new edge gets: the descriptor passed over a handover socket.</summary>
    private static EdgeListener Handed(EdgeListener listener)
    {
        var (sender, receiver) = UnixFdPassingTests.ConnectedPair();
        using (sender)
        using (receiver)
        {
            UnixFdPassing.Send(sender, "x"u8, [listener.Descriptor]);
            UnixFdPassing.Receive(receiver, new byte[8], out var descriptors);
            return EdgeListener.Adopt(listener.Name, Assert.Single(descriptors));
        }
    }

    private static async Task<WebApplication> ServeAsync(ulong handle, string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(5));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenHandle(handle));
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsync(name));
        await app.StartAsync();
        return app;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out");
            await Task.Delay(10);
        }
    }
}
