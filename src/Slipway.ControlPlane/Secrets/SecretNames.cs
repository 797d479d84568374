using System.Text.RegularExpressions;

namespace Slipway.ControlPlane.Secrets;

/// <summary>What an app secret's name and value may be. The CLI checks the same rules before it sends anything.</summary>
internal static partial class SecretNames
{
    public const int MaximumNameLength = 128;

    /// <summary>A value fits comfortably in an environment variable (a PEM key, a connection string).</summary>
    public const int MaximumValueBytes = 64 * 1024;

    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaximumNameLength } && Pattern().IsMatch(name);

    /// <summary>Why <paramref name="name"/> cannot name a secret, or null when it can.</summary>
    public static string? NameProblem(string? name)
    {
        if (IsValid(name))
        {
            return null;
        }

        if (string.IsNullOrEmpty(name))
        {
            return "name: give the secret's name, e.g. DATABASE_URL";
        }

        if (name.Length > MaximumNameLength)
        {
            return $"name: use at most {MaximumNameLength} characters";
        }

        var suggestion = Suggest(name);
        return $"name: '{name}' is not a secret name; use uppercase letters, digits and '_', not starting with a digit ([A-Z_][A-Z0-9_]*)"
            + (IsValid(suggestion) ? $", e.g. {suggestion}" : "");
    }

    /// <summary>Why <paramref name="value"/> cannot be a secret's value, or null when it can.</summary>
    public static string? ValueProblem(string? value) => value switch
    {
        null or "" => "value: give the secret's value (an empty value would only hide a mistake; use `slipway secrets unset` to remove a secret)",
        _ when System.Text.Encoding.UTF8.GetByteCount(value) > MaximumValueBytes => $"value: use at most {MaximumValueBytes / 1024} KiB",
        _ when value.Contains('\0', StringComparison.Ordinal) => "value: NUL characters cannot be passed in an environment variable",
        _ => null,
    };

    private static string Suggest(string name)
    {
        var upper = new string([.. name.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
        return upper.Length > 0 && char.IsAsciiDigit(upper[0]) ? "_" + upper : upper;
    }

    [GeneratedRegex("^[A-Z_][A-Z0-9_]*$")]
    private static partial Regex Pattern();
}
