using System.Text.Json;
using Slipway.Edge.Secrets;

namespace Slipway.ControlPlane.Pipeline;

/// <summary>Replaces known secret values with <c>***</c> in text that is about to be logged or shown.</summary>
internal sealed class Redactor
{
    public const string Mask = SecretPatterns.Mask;

    public static readonly Redactor None = new([]);

    // Longest first, so a secret that contains another secret is masked whole.
    private readonly string[] _secrets;

    public Redactor(IEnumerable<string> secrets)
    {
        _secrets = [.. secrets
            .Where(s => !string.IsNullOrEmpty(s))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length)];
    }

    /// <summary>
    /// The redactor for an app's secret values: what <see cref="SecretPatterns.From"/> says to mask (values of at least
    /// <see cref="SecretPatterns.MinimumLength"/> characters, and each line of a multi-line value). With
    /// <paramref name="inJson"/> it also masks each value as JSON escapes it, for text that is serialized JSON.
    /// </summary>
    public static Redactor ForSecrets(IEnumerable<string> values, bool inJson = false)
    {
        var patterns = SecretPatterns.From(values);
        return new Redactor(inJson ? patterns.Concat(patterns.Select(p => JsonEncodedText.Encode(p).Value)) : patterns);
    }

    public bool IsEmpty => _secrets.Length == 0;

    public string Redact(string text)
    {
        foreach (var secret in _secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
