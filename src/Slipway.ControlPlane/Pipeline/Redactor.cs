namespace Slipway.ControlPlane.Pipeline;

/// <summary>Replaces known secret values with <c>***</c> in text that is about to be logged or shown.</summary>
internal sealed class Redactor
{
    public const string Mask = "***";

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
