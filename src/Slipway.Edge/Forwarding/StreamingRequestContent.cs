using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Http;

namespace Slipway.Edge.Forwarding;

/// <summary>
/// Streams the client's request body to the target as it arrives, counting bytes against the service's
/// limit (the Content-Length check up front does not cover chunked bodies). Records why it stopped, so the
/// forwarder can tell a client-side failure from a target-side one.
/// </summary>
internal sealed class StreamingRequestContent(Stream source, long limit) : HttpContent
{
    private const int BufferSize = 64 * 1024;

    private int _started;

    /// <summary>True once the handler asked for the body, i.e. something may have reached the target.</summary>
    public bool Started => Volatile.Read(ref _started) == 1;

    public bool TooLarge { get; private set; }

    /// <summary>Set when reading from the client failed (not when writing to the target failed).</summary>
    public Exception? ClientError { get; private set; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _started, 1);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long total = 0;
            while (true)
            {
                int read;
                try
                {
                    read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false);
                }
                catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    TooLarge = true;
                    throw new RequestBodyTooLargeException(limit);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    ClientError = ex;
                    throw;
                }

                if (read == 0)
                {
                    return;
                }

                total += read;
                if (total > limit)
                {
                    TooLarge = true;
                    throw new RequestBodyTooLargeException(limit);
                }

                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
