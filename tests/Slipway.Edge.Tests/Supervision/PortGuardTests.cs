using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Slipway.Edge.Supervision;

namespace Slipway.Edge.Tests.Supervision;

/// <summary>The port-squatting check against the real kernel tables: real listening sockets, real sessions.</summary>
public sealed class PortGuardTests
{
    private static readonly int OwnSession = ProcStat.Read(Environment.ProcessId)!.Session;

    [Fact]
    public void ListenerInode_ReadsTheInodeOfAListeningSocketOnThePortOnly()
    {
        const string listening = "   3: 0100007F:4E21 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 912345 1 0000000000000000 100 0 0 10 0";
        const string established = "   4: 0100007F:4E21 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 912346 1 0000000000000000 20 4 30 10 -1";

        Assert.Equal(912345, ListeningSockets.ListenerInode(listening, 0x4E21));
        Assert.Null(ListeningSockets.ListenerInode(listening, 0x4E22));
        Assert.Null(ListeningSockets.ListenerInode(established, 0x4E21));
    }

    [Fact]
    public void Verify_PortServedByTheClaimingSession_Passes()
    {
        using var listener = Listen(out var port);

        PortGuard.For(port, new PortClaim("app-g1", OwnSession)).Verify(port);
    }

    [Fact]
    public async Task Verify_PortServedByAnotherSession_ThrowsNamingTheProcessAndPort()
    {
        using var listener = Listen(out var port);
        using var other = Process.Start(new ProcessStartInfo("setsid", ["sleep", "30"]))!;
        try
        {
            // setsid(1) execs sleep in a session it leads: the session id is its pid.
            var guard = PortGuard.For(port, new PortClaim("app-g1", other.Id));

            var refused = Assert.Throws<PortSquattedException>(() => guard.Verify(port));

            Assert.Equal(port, refused.Port);
            Assert.Contains($"127.0.0.1:{port} is the port of process 'app-g1', but another process listens on it", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            other.Kill();
            await other.WaitForExitAsync();
        }
    }

    [Fact]
    public void Verify_PortHandedToAStoppingProcessAndItsSuccessor_PassesWhenEitherServesIt()
    {
        using var listener = Listen(out var port);
        var guard = new PortGuard(p => p == port ? [new PortClaim("app-g1", null), new PortClaim("app-g2", OwnSession)] : []);

        guard.Verify(port);
    }

    [Fact]
    public void Verify_ClaimingProcessNotRunning_RefusesWhoeverListens()
    {
        using var listener = Listen(out var port);

        Assert.Throws<PortSquattedException>(() => PortGuard.For(port, new PortClaim("app-g1", null)).Verify(port));
    }

    [Fact]
    public void Verify_UnclaimedPort_Passes()
    {
        using var listener = Listen(out var port);

        new PortGuard(_ => []).Verify(port);
    }

    [Fact]
    public void Verify_PortNowClaimedForAnotherSession_DoesNotTrustTheEarlierPass()
    {
        using var owned = Listen(out var port);
        var session = OwnSession;
        var guard = new PortGuard(p => p == port ? [new PortClaim("app-g1", session)] : []);
        guard.Verify(port);

        // The same port, now claimed for another session: what was verified before is not taken on trust.
        session = OwnSession + 1_000_000;

        Assert.Throws<PortSquattedException>(() => guard.Verify(port));
    }

    [Fact]
    public async Task ConnectAsync_SquattedPort_ClosesTheConnectionBeforeSendingAnything()
    {
        using var listener = Listen(out var port);
        var guard = PortGuard.For(port, new PortClaim("app-g1", null));

        await Assert.ThrowsAsync<PortSquattedException>(async () => await guard.ConnectAsync(new DnsEndPoint("127.0.0.1", port), CancellationToken.None));

        using var accepted = await listener.AcceptSocketAsync();
        var buffer = new byte[16];
        Assert.Equal(0, await accepted.ReceiveAsync(buffer));
    }

    private static TcpListener Listen(out int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return listener;
    }
}
