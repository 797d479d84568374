using System.Buffers.Binary;
using System.Text;

namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>
/// Decodes the engine's multiplexed stdout/stderr stream (containers without a TTY): frames of an 8-byte
/// header — stream type (0 stdin, 1 stdout, 2 stderr), three zero bytes, a big-endian payload length — then
/// the payload. Both streams are returned interleaved in arrival order, as a terminal would show them.
/// </summary>
internal static class MultiplexedStreamReader
{
    private const int HeaderSize = 8;

    public static async Task<string> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        var output = new MemoryStream();
        var header = new byte[HeaderSize];
        while (true)
        {
            var read = await ReadFullyAsync(stream, header, cancellationToken);
            if (read == 0)
            {
                break;
            }

            if (read < HeaderSize || header[0] > 2 || header[1] != 0 || header[2] != 0 || header[3] != 0)
            {
                // Not a multiplexed frame (a TTY container's raw stream): keep the bytes as they are.
                output.Write(header, 0, read);
                await stream.CopyToAsync(output, cancellationToken);
                break;
            }

            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
            var payload = new byte[length];
            var got = await ReadFullyAsync(stream, payload, cancellationToken);
            output.Write(payload, 0, got);
            if (got < length)
            {
                break;
            }
        }

        return Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)output.Length);
    }

    private static async Task<int> ReadFullyAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
