using System.Text;

namespace Slipway.Edge.Secrets;

/// <summary>
/// Masks secret values in raw process output, byte for byte: output need not be valid UTF-8, and redaction must not
/// alter anything but the secrets. Immutable; safe to share.
/// </summary>
public sealed class OutputRedactor
{
    private static readonly byte[] MaskBytes = Encoding.UTF8.GetBytes(SecretPatterns.Mask);

    private readonly byte[][] _patterns;

    public OutputRedactor(IEnumerable<string> secretValues)
    {
        _patterns = [.. SecretPatterns.From(secretValues).Select(Encoding.UTF8.GetBytes)];
    }

    public bool IsEmpty => _patterns.Length == 0;

    /// <summary>Byte length of the longest pattern; a chunk boundary closer than this to the end may split a secret.</summary>
    public int LongestPattern => _patterns.Length == 0 ? 0 : _patterns[0].Length;

    public byte[] Redact(ReadOnlySpan<byte> text)
    {
        var current = text.ToArray();
        foreach (var pattern in _patterns)
        {
            if (current.AsSpan().IndexOf(pattern) < 0)
            {
                continue;
            }

            using var output = new MemoryStream(current.Length);
            var rest = current.AsSpan();
            int at;
            while ((at = rest.IndexOf(pattern)) >= 0)
            {
                output.Write(rest[..at]);
                output.Write(MaskBytes);
                rest = rest[(at + pattern.Length)..];
            }

            output.Write(rest);
            current = output.ToArray();
        }

        return current;
    }
}
