using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Slipway.ControlPlane.Spec;

/// <summary>
/// Reads values out of YAML nodes while collecting every problem with its line, column and dotted key,
/// so a user fixes a whole spec in one pass instead of one error per run.
/// </summary>
internal sealed class SpecReader
{
    private readonly string _file;
    private readonly List<SpecError> _errors = [];

    public SpecReader(string file)
    {
        _file = file;
    }

    public IReadOnlyList<SpecError> Errors => _errors;

    public void Error(YamlNode? node, string key, string message) =>
        Error(node?.Start ?? Mark.Empty, key, message);

    public void Error(Mark mark, string key, string message) =>
        _errors.Add(new SpecError(_file, mark.Equals(Mark.Empty) ? 0 : (int)mark.Line, mark.Equals(Mark.Empty) ? 0 : (int)mark.Column, key, message));

    public static string Join(string parent, string key) => parent.Length == 0 ? key : parent + "." + key;

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain } s && (s.Value is null or "" or "~" or "null" or "Null" or "NULL");

    /// <summary>
    /// Returns the mapping's entries by key text, reporting unknown keys with a suggestion.
    /// Null when the node is not a mapping (already reported).
    /// </summary>
    public Dictionary<string, (YamlScalarNode Key, YamlNode Value)>? Mapping(YamlNode node, string path, IReadOnlyList<string> knownKeys, string example)
    {
        if (node is not YamlMappingNode mapping)
        {
            Error(node, path, $"must be a mapping, e.g. `{example}`");
            return null;
        }

        var result = new Dictionary<string, (YamlScalarNode, YamlNode)>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } scalarKey)
            {
                Error(keyNode, path, "keys must be plain words, not lists or mappings");
                continue;
            }

            var keyPath = Join(path, key);
            if (!knownKeys.Contains(key))
            {
                var suggestion = KeySuggester.Suggest(key, knownKeys);
                var hint = suggestion is null
                    ? $"known keys here: {string.Join(", ", knownKeys)}"
                    : $"did you mean `{suggestion}`?";
                Error(keyNode, keyPath, $"unknown key `{key}`; {hint}");
                continue;
            }

            result[key] = (scalarKey, value);
        }

        return result;
    }

    public string? String(YamlNode node, string path, bool allowEmpty = false)
    {
        if (node is not YamlScalarNode scalar)
        {
            Error(node, path, "must be a single value, not a list or mapping");
            return null;
        }

        var value = IsNull(scalar) ? "" : scalar.Value ?? "";
        if (!allowEmpty && value.Trim().Length == 0)
        {
            Error(node, path, "is empty; give it a value or remove the key");
            return null;
        }

        return value;
    }

    public TimeSpan? Duration(YamlNode node, string path, bool allowZero)
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }

        if (!Spec.Duration.TryParse(text, out var value, out var error))
        {
            Error(node, path, error);
            return null;
        }

        if (!allowZero && value <= TimeSpan.Zero)
        {
            Error(node, path, "must be longer than zero, e.g. `5s`");
            return null;
        }

        return value;
    }

    public long? Integer(YamlNode node, string path, long min, long max, string hint)
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }

        if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Error(node, path, $"`{text}` is not a whole number; {hint}");
            return null;
        }

        if (value < min || value > max)
        {
            Error(node, path, $"{value} is out of range; {hint}");
            return null;
        }

        return value;
    }

    public bool? Boolean(YamlNode node, string path)
    {
        var text = String(node, path);
        return text?.Trim() switch
        {
            null => null,
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ => Fail<bool>(node, path, $"`{text}` is not a boolean; write `true` or `false`"),
        };
    }

    public YamlSequenceNode? Sequence(YamlNode node, string path, string example)
    {
        if (node is YamlSequenceNode sequence)
        {
            return sequence;
        }

        Error(node, path, $"must be a list, e.g. `{example}`");
        return null;
    }

    private T? Fail<T>(YamlNode node, string path, string message)
        where T : struct
    {
        Error(node, path, message);
        return null;
    }
}
