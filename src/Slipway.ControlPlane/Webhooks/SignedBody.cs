using System.Security.Cryptography;
using System.Text;
using Slipway.ControlPlane.Api;

namespace Slipway.ControlPlane.Webhooks;

/// <summary>
/// A delivery's body read once, in chunks, with the HMAC of every candidate secret computed on the way: one copy
/// in memory, no second pass per secret, and a signature header that is not even well-formed rejects the
/// delivery before a byte of the body is read.
/// </summary>
internal sealed class SignedBody
{
    private SignedBody(ReadOnlyMemory<byte> bytes, IReadOnlySet<string> signedFor)
    {
        Bytes = bytes;
        SignedFor = signedFor;
    }

    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The apps whose secret produced the signature the forge sent.</summary>
    public IReadOnlySet<string> SignedFor { get; }

    /// <summary>
    /// Reads <paramref name="body"/> (at most <paramref name="limit"/> bytes, else 413) and checks
    /// <paramref name="header"/> against each of <paramref name="secrets"/> (app → secret).
    /// </summary>
    public static async Task<SignedBody> ReadAsync(
        Stream body, long? contentLength, int limit, IReadOnlyDictionary<string, string> secrets, string header, string prefix, CancellationToken cancellationToken)
    {
        var tooLarge = new ApiProblem(413, $"The request body is larger than {limit / (1024 * 1024)} MiB.");
        if (contentLength > limit)
        {
            throw tooLarge;
        }

        var given = new byte[32];
        if (!WebhookSignature.TryParse(header, prefix, given) || secrets.Count == 0)
        {
            return new SignedBody(ReadOnlyMemory<byte>.Empty, new HashSet<string>());
        }

        var hashes = secrets.Select(s => (App: s.Key, Hash: IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(s.Value)))).ToList();
        try
        {
            using var buffer = new MemoryStream(contentLength is > 0 and var length ? (int)length : 16 * 1024);
            var chunk = new byte[81920];
            int n;
            while ((n = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + n > limit)
                {
                    throw tooLarge;
                }

                buffer.Write(chunk, 0, n);
                foreach (var (_, hash) in hashes)
                {
                    hash.AppendData(chunk, 0, n);
                }
            }

            var signedFor = hashes
                .Where(h => CryptographicOperations.FixedTimeEquals(h.Hash.GetHashAndReset(), given))
                .Select(h => h.App)
                .ToHashSet(StringComparer.Ordinal);
            return new SignedBody(new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length), signedFor);
        }
        finally
        {
            hashes.ForEach(h => h.Hash.Dispose());
        }
    }
}
