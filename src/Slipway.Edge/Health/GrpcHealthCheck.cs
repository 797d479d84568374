using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace Slipway.Edge.Health;

/// <summary>
/// One call of the standard gRPC health service, <c>grpc.health.v1.Health/Check</c>, over HTTP/2. Written by
/// hand: the request is one optional string field and the answer one enum, so neither the edge nor the control
/// plane needs a gRPC stack (or generated code) to ask a gRPC app whether it serves.
/// </summary>
public static class GrpcHealthCheck
{
    public const string Path = "/grpc.health.v1.Health/Check";

    /// <summary><c>HealthCheckResponse.ServingStatus.SERVING</c>.</summary>
    private const int Serving = 1;

    /// <summary>A Check request for <paramref name="service"/> ("" asks about the server as a whole).</summary>
    public static HttpRequestMessage CreateRequest(string baseAddress, string service)
    {
        var name = Encoding.UTF8.GetBytes(service);
        var message = new List<byte>(name.Length + 6);
        if (name.Length > 0)
        {
            // Field 1 (service), wire type 2 (length-delimited).
            message.Add(0x0A);
            WriteVarint(message, (ulong)name.Length);
            message.AddRange(name);
        }

        // gRPC framing: uncompressed flag, 4-byte big-endian length, message.
        var frame = new byte[5 + message.Count];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Count);
        message.CopyTo(frame, 5);
        var content = new ByteArrayContent(frame);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
        var request = new HttpRequestMessage(HttpMethod.Post, baseAddress + Path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TryAddWithoutValidation("TE", "trailers");
        return request;
    }

    /// <summary>Null when the answer is SERVING; otherwise what the app answered, in words.</summary>
    public static async Task<string?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return $"answered HTTP {(int)response.StatusCode}";
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        // A trailers-only answer (an error before any message) carries grpc-status in the headers.
        var status = Header(response.TrailingHeaders, "grpc-status") ?? Header(response.Headers, "grpc-status");
        if (status is null)
        {
            return "answered without grpc-status (is it a gRPC server on HTTP/2?)";
        }

        if (status != "0")
        {
            var message = Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message");
            var hint = status switch
            {
                "12" => " (unimplemented: the app does not serve grpc.health.v1.Health)",
                "5" => " (not found: the health service does not know this service name)",
                _ => "",
            };
            return $"answered grpc-status {status}{hint}{(string.IsNullOrEmpty(message) ? "" : ": " + Uri.UnescapeDataString(message))}";
        }

        var serving = ReadStatus(body);
        return serving == Serving ? null : $"answered {Name(serving)}";
    }

    private static string Name(int? status) => status switch
    {
        null => "an unreadable HealthCheckResponse",
        0 => "UNKNOWN",
        2 => "NOT_SERVING",
        3 => "SERVICE_UNKNOWN",
        _ => "status " + status.Value.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Field 1 (status, a varint) of the first message; an empty message means UNKNOWN (0).</summary>
    private static int? ReadStatus(byte[] body)
    {
        if (body.Length < 5 || body[0] != 0)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1));
        if (length > body.Length - 5)
        {
            return null;
        }

        var message = body.AsSpan(5, (int)length);
        var status = 0;
        var at = 0;
        while (at < message.Length)
        {
            var key = ReadVarint(message, ref at);
            if (key is null)
            {
                return null;
            }

            var field = key.Value >> 3;
            switch (key.Value & 7)
            {
                case 0:
                    var value = ReadVarint(message, ref at);
                    if (value is null)
                    {
                        return null;
                    }

                    if (field == 1)
                    {
                        status = (int)value.Value;
                    }

                    break;
                case 2:
                    var skip = ReadVarint(message, ref at);
                    if (skip is null || (ulong)at + skip.Value > (ulong)message.Length)
                    {
                        return null;
                    }

                    at += (int)skip.Value;
                    break;
                default:
                    return null;
            }
        }

        return status;
    }

    private static ulong? ReadVarint(ReadOnlySpan<byte> data, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64 && at < data.Length; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        return null;
    }

    private static void WriteVarint(List<byte> to, ulong value)
    {
        while (value >= 0x80)
        {
            to.Add((byte)(value | 0x80));
            value >>= 7;
        }

        to.Add((byte)value);
    }

    private static string? Header(System.Net.Http.Headers.HttpHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;
}
