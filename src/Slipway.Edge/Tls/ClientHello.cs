using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Slipway.Edge.Tls;

/// <summary>
/// Reads the ALPN protocols a client offers from its TLS ClientHello. The handshake callback only sees the
/// server name; a TLS-ALPN-01 validation is told apart from a browser by offering <c>acme-tls/1</c> alone,
/// and it must get the challenge certificate instead of the real one.
/// </summary>
internal static class ClientHello
{
    private const byte HandshakeRecord = 0x16;
    private const byte ClientHelloMessage = 0x01;
    private const ushort AlpnExtension = 0x0010;

    public enum Status
    {
        /// <summary>More bytes are needed to see the whole first record.</summary>
        Incomplete,

        /// <summary>The first record is complete (parsed, or not a ClientHello we understand).</summary>
        Complete,
    }

    /// <summary>
    /// <see cref="Status.Incomplete"/> until the first TLS record is buffered; then the offered ALPN names
    /// (empty when there are none or the bytes are not a ClientHello).
    /// </summary>
    public static Status TryReadAlpn(ReadOnlySequence<byte> buffer, out IReadOnlyList<string> protocols)
    {
        protocols = [];
        if (buffer.Length < 5)
        {
            return Status.Incomplete;
        }

        Span<byte> header = stackalloc byte[5];
        buffer.Slice(0, 5).CopyTo(header);
        if (header[0] != HandshakeRecord)
        {
            return Status.Complete;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(header[3..]);
        if (buffer.Length < 5 + length)
        {
            return Status.Incomplete;
        }

        var record = buffer.Slice(5, length).ToArray();
        protocols = Parse(record);
        return Status.Complete;
    }

    private static IReadOnlyList<string> Parse(ReadOnlySpan<byte> hello)
    {
        // handshake type (1), length (3), client version (2), random (32)
        if (hello.Length < 38 || hello[0] != ClientHelloMessage)
        {
            return [];
        }

        var at = 38;
        if (!Skip(hello, ref at, 1) || !Skip(hello, ref at, 2) || !Skip(hello, ref at, 1) || at + 2 > hello.Length)
        {
            return [];
        }

        var extensionsEnd = Math.Min(hello.Length, at + 2 + BinaryPrimitives.ReadUInt16BigEndian(hello[at..]));
        at += 2;
        while (at + 4 <= extensionsEnd)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(hello[at..]);
            var size = BinaryPrimitives.ReadUInt16BigEndian(hello[(at + 2)..]);
            at += 4;
            if (at + size > extensionsEnd)
            {
                return [];
            }

            if (type == AlpnExtension)
            {
                return ReadAlpn(hello.Slice(at, size));
            }

            at += size;
        }

        return [];
    }

    /// <summary>Skips a vector whose length prefix is <paramref name="prefix"/> bytes long.</summary>
    private static bool Skip(ReadOnlySpan<byte> data, ref int at, int prefix)
    {
        if (at + prefix > data.Length)
        {
            return false;
        }

        var length = prefix == 1 ? data[at] : BinaryPrimitives.ReadUInt16BigEndian(data[at..]);
        at += prefix + length;
        return at <= data.Length;
    }

    private static List<string> ReadAlpn(ReadOnlySpan<byte> extension)
    {
        var names = new List<string>();
        if (extension.Length < 2)
        {
            return names;
        }

        var end = Math.Min(extension.Length, 2 + BinaryPrimitives.ReadUInt16BigEndian(extension));
        var at = 2;
        while (at < end)
        {
            var length = extension[at++];
            if (at + length > end)
            {
                break;
            }

            names.Add(Encoding.ASCII.GetString(extension.Slice(at, length)));
            at += length;
        }

        return names;
    }
}
