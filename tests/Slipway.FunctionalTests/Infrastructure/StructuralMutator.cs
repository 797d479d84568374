using System.Text;

namespace Slipway.FunctionalTests.Infrastructure;

/// <summary>
/// A seeded mutator for text inputs (YAML, JSON): each case applies one to four edits, mixing byte-level damage
/// (deletions, duplications, stray characters, truncation) with structural ones (wrapping in flow collections,
/// deep nesting, anchors and aliases, type swaps of values, quotes left open). The same seed gives the same cases.
/// </summary>
internal sealed class StructuralMutator(int seed)
{
    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", ":", ": ", ",", "- ", "\n", "\n  ", "\t", "'", "\"", "#", "&a ", "*a", "!!binary ", "!!python/object ",
        "<<: *a", "? ", "|", ">", "---\n", "...\n", "null", "~", "true", "0x1F", "1e309", "-0", "\"\\u0000\"", "\u0000", "\uFFFE",
        "\ud83d\ude80", "%", "\\", "{a: [b, {c: d}]}", "[[[]]]", "\"\"", "''", "on", "2026-01-01", "9999999999999999999999",
    ];

    private readonly Random _random = new(seed);

    public string Mutate(string input)
    {
        var text = input;
        var edits = _random.Next(1, 5);
        for (var i = 0; i < edits; i++)
        {
            text = _random.Next(10) switch
            {
                0 => Delete(text),
                1 => Duplicate(text),
                2 or 3 => Insert(text, Tokens[_random.Next(Tokens.Length)]),
                4 => Insert(text, ((char)_random.Next(0, 0x3000)).ToString()),
                5 => text[..Position(text)],
                6 => Nest(text),
                7 => SwapValue(text),
                8 => _random.Next(2) == 0 ? "[" + text + "]" : "{k: " + text + "}",
                _ => Swap(text),
            };
        }

        return text;
    }

    private int Position(string text) => text.Length == 0 ? 0 : _random.Next(text.Length + 1);

    private string Delete(string text)
    {
        var at = Position(text);
        var length = Math.Min(text.Length - at, _random.Next(1, 40));
        return text.Remove(at, Math.Max(0, length));
    }

    private string Duplicate(string text)
    {
        var at = Position(text);
        var length = Math.Min(text.Length - at, _random.Next(1, 200));
        return text.Insert(at, text.Substring(at, Math.Max(0, length)));
    }

    private string Insert(string text, string token) => text.Insert(Position(text), token);

    private string Nest(string text)
    {
        var depth = _random.Next(2) == 0 ? _random.Next(10, 100) : _random.Next(1000, 20_000);
        var (open, close) = _random.Next(2) == 0 ? ("[", "]") : ("{a: ", "}");
        var nested = new StringBuilder().Insert(0, open, depth).Append('1').Insert(depth * open.Length + 1, close, _random.Next(2) == 0 ? depth : depth / 2);
        return Insert(text, nested.ToString());
    }

    /// <summary>Replaces the value after a random <c>:</c> with a list, a map, a number or nothing.</summary>
    private string SwapValue(string text)
    {
        var colon = text.IndexOf(':', Position(text));
        if (colon < 0)
        {
            return text;
        }

        var end = text.IndexOfAny([',', '\n', '}'], colon + 1);
        end = end < 0 ? text.Length : end;
        string[] values = [" [1, 2]", " {x: y}", " 42", " -1", "", " \"\"", " [ ]", " null", " &a {b: *a}"];
        return text[..(colon + 1)] + values[_random.Next(values.Length)] + text[end..];
    }

    private string Swap(string text)
    {
        if (text.Length < 4)
        {
            return text;
        }

        var a = _random.Next(text.Length / 2);
        var b = _random.Next(text.Length / 2, text.Length);
        var length = Math.Min(_random.Next(1, 30), Math.Min(text.Length / 2 - a, text.Length - b));
        if (length <= 0)
        {
            return text;
        }

        var chars = text.ToCharArray();
        for (var i = 0; i < length; i++)
        {
            (chars[a + i], chars[b + i]) = (chars[b + i], chars[a + i]);
        }

        return new string(chars);
    }
}
