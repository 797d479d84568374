namespace Slipway.ControlPlane.Spec;

/// <summary>Finds the known key a user most likely meant (typos, camelCase, dashes instead of underscores).</summary>
internal static class KeySuggester
{
    public static string? Suggest(string unknown, IEnumerable<string> known)
    {
        var probe = Normalize(unknown);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Levenshtein(probe, Normalize(candidate));
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // Beyond this the "suggestion" is noise: `foo` would otherwise map to `app`.
        var limit = Math.Max(2, probe.Length / 3);
        return bestDistance <= limit ? best : null;
    }

    /// <summary>Edit distance where swapping two neighbouring letters (<c>hots</c> → <c>host</c>) counts as one edit, like a typo.</summary>
    public static int Levenshtein(string a, string b)
    {
        var beforePrevious = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    current[j] = Math.Min(current[j], beforePrevious[j - 2] + 1);
                }
            }

            (beforePrevious, previous, current) = (previous, current, beforePrevious);
        }

        return previous[b.Length];
    }

    private static string Normalize(string key) => key.ToLowerInvariant().Replace('-', '_');
}
