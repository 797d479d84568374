using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Slipway.Edge.Handover;

/// <summary>
/// Passes open file descriptors between processes over a Unix socket (<c>SCM_RIGHTS</c>), which .NET does
/// not expose: <c>sendmsg</c>/<c>recvmsg</c> through libc. The kernel installs a new descriptor in the
/// receiver that refers to the same open socket, so a listening socket keeps its accept queue across processes.
/// Linux, 64-bit only (the layouts below are the LP64 <c>msghdr</c>/<c>cmsghdr</c>).
/// </summary>
internal static unsafe partial class UnixFdPassing
{
    /// <summary>More than an edge ever passes (public, admin, control); bounds the control buffer.</summary>
    public const int MaximumDescriptors = 8;

    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int MsgNoSignal = 0x4000;
    private const int MsgTrunc = 0x20;
    private const int MsgCtrunc = 0x8;
    private const int MsgCmsgCloexec = 0x40000000;
    private const int FGetfd = 1;
    private const int FSetfd = 2;
    private const int FdCloexec = 1;
    private const int FDupfdCloexec = 1030;
    private const int Eintr = 4;
    private static readonly int HeaderSize = sizeof(CmsgHeader);

    /// <summary>Sends <paramref name="payload"/> (at least one byte) with <paramref name="descriptors"/> attached.</summary>
    public static void Send(Socket socket, ReadOnlySpan<byte> payload, ReadOnlySpan<int> descriptors)
    {
        if (payload.IsEmpty)
        {
            throw new ArgumentException("A message needs at least one byte of payload to carry descriptors.", nameof(payload));
        }

        if (descriptors.Length > MaximumDescriptors)
        {
            throw new ArgumentOutOfRangeException(nameof(descriptors), descriptors.Length, $"At most {MaximumDescriptors} descriptors per message.");
        }

        var dataLength = descriptors.Length * sizeof(int);
        var controlLength = descriptors.IsEmpty ? 0 : Space(dataLength);
        var control = stackalloc byte[Math.Max(1, controlLength)];
        new Span<byte>(control, Math.Max(1, controlLength)).Clear();
        if (!descriptors.IsEmpty)
        {
            var header = (CmsgHeader*)control;
            header->Length = (nuint)(HeaderSize + dataLength);
            header->Level = SolSocket;
            header->Type = ScmRights;
            descriptors.CopyTo(new Span<int>(control + HeaderSize, descriptors.Length));
        }

        var added = false;
        var handle = socket.SafeHandle;
        handle.DangerousAddRef(ref added);
        try
        {
            fixed (byte* data = payload)
            {
                var vector = new IoVector { Base = data, Length = (nuint)payload.Length };
                var message = new MessageHeader
                {
                    Vectors = &vector,
                    VectorCount = 1,
                    Control = descriptors.IsEmpty ? null : control,
                    ControlLength = (nuint)controlLength,
                };
                nint sent;
                do
                {
                    sent = SendMessage((int)handle.DangerousGetHandle(), &message, MsgNoSignal);
                }
                while (sent < 0 && Marshal.GetLastPInvokeError() == Eintr);

                if (sent < 0)
                {
                    throw new SocketException(Marshal.GetLastPInvokeError());
                }

                if (sent != payload.Length)
                {
                    throw new IOException($"sendmsg sent {sent} of {payload.Length} bytes; use a SOCK_SEQPACKET socket so messages stay whole.");
                }
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Receives one message into <paramref name="buffer"/>; the descriptors that came with it are opened
    /// close-on-exec and belong to the caller. Returns the payload length (0: the peer closed the connection).
    /// </summary>
    public static int Receive(Socket socket, Span<byte> buffer, out int[] descriptors)
    {
        var controlLength = Space(MaximumDescriptors * sizeof(int));
        var control = stackalloc byte[controlLength];
        new Span<byte>(control, controlLength).Clear();
        var added = false;
        var handle = socket.SafeHandle;
        handle.DangerousAddRef(ref added);
        try
        {
            fixed (byte* data = buffer)
            {
                var vector = new IoVector { Base = data, Length = (nuint)buffer.Length };
                var message = new MessageHeader
                {
                    Vectors = &vector,
                    VectorCount = 1,
                    Control = control,
                    ControlLength = (nuint)controlLength,
                };
                nint received;
                do
                {
                    received = ReceiveMessage((int)handle.DangerousGetHandle(), &message, MsgCmsgCloexec);
                }
                while (received < 0 && Marshal.GetLastPInvokeError() == Eintr);

                if (received < 0)
                {
                    throw new SocketException(Marshal.GetLastPInvokeError());
                }

                descriptors = ReadDescriptors(control, (int)message.ControlLength);
                if ((message.Flags & (MsgTrunc | MsgCtrunc)) != 0)
                {
                    foreach (var descriptor in descriptors)
                    {
                        _ = Close(descriptor);
                    }

                    throw new IOException("A handover message was larger than expected and was cut short.");
                }

                return (int)received;
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>A new descriptor for the same open socket, close-on-exec (children never inherit it).</summary>
    public static int Duplicate(int descriptor)
    {
        var copy = Fcntl(descriptor, FDupfdCloexec, 0);
        return copy >= 0 ? copy : throw new SocketException(Marshal.GetLastPInvokeError());
    }

    /// <summary>
    /// .NET's <c>Socket.Dispose</c> may <c>shutdown()</c> a socket that is busy when it closes, which on a
    /// listening socket stops it for every process sharing it; it leaves alone descriptors without
    /// close-on-exec, as those may be shared. Clear the flag before a shared listener is closed.
    /// </summary>
    public static void SetCloseOnExec(int descriptor, bool closeOnExec)
    {
        var flags = Fcntl(descriptor, FGetfd, 0);
        if (flags < 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }

        var wanted = closeOnExec ? flags | FdCloexec : flags & ~FdCloexec;
        if (Fcntl(descriptor, FSetfd, wanted) < 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }
    }

    public static bool IsCloseOnExec(int descriptor)
    {
        var flags = Fcntl(descriptor, FGetfd, 0);
        return flags >= 0 ? (flags & FdCloexec) != 0 : throw new SocketException(Marshal.GetLastPInvokeError());
    }

    /// <summary>The peer's process id of a connected Unix socket (<c>SO_PEERCRED</c>), as the kernel recorded it at connect.</summary>
    public static (int Pid, uint Uid) PeerCredentials(Socket socket)
    {
        Span<byte> credentials = stackalloc byte[12];
        var length = socket.GetRawSocketOption(SolSocket, 17, credentials);
        if (length < 12)
        {
            throw new IOException("The kernel did not report the peer's credentials.");
        }

        return (MemoryMarshal.Read<int>(credentials), MemoryMarshal.Read<uint>(credentials[4..]));
    }

    public static uint CurrentUserId() => GetUid();

    private static int[] ReadDescriptors(byte* control, int length)
    {
        var result = new List<int>();
        var offset = 0;
        while (offset + HeaderSize <= length)
        {
            var header = (CmsgHeader*)(control + offset);
            var messageLength = (int)header->Length;
            if (messageLength < HeaderSize || offset + messageLength > length)
            {
                break;
            }

            if (header->Level == SolSocket && header->Type == ScmRights)
            {
                var count = (messageLength - HeaderSize) / sizeof(int);
                result.AddRange(new ReadOnlySpan<int>(control + offset + HeaderSize, count));
            }

            offset += Align(messageLength);
        }

        return [.. result];
    }

    private static int Align(int length) => (length + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1);

    private static int Space(int dataLength) => Align(HeaderSize) + Align(dataLength);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static partial nint SendMessage(int socket, MessageHeader* message, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint ReceiveMessage(int socket, MessageHeader* message, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int descriptor, int command, int argument);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int descriptor);

    [LibraryImport("libc", EntryPoint = "getuid")]
    private static partial uint GetUid();

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CmsgHeader
    {
        public nuint Length;
        public int Level;
        public int Type;
    }
}
