using System.Globalization;
using System.Text;

namespace Slipway.ControlPlane.Spec;

/// <summary>
/// Durations as written in <c>slipway.yml</c>: one or more number+unit pairs (<c>500ms</c>, <c>30s</c>, <c>10m</c>,
/// <c>1h</c>, <c>1m30s</c>). A unit is always required so that <c>30</c> is never silently seconds or minutes.
/// </summary>
internal static class Duration
{
    public static bool TryParse(string text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = "";
        var s = text.Trim();
        if (s.Length == 0)
        {
            error = "is empty; write a duration such as `30s`, `500ms`, `10m` or `1h`";
            return false;
        }

        if (s.Any(char.IsWhiteSpace))
        {
            error = $"`{s}` has spaces; write it without, e.g. `30s`, `10m` or `1m30s`";
            return false;
        }

        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            error = $"`{s}` has no unit; add one, e.g. `{s}s` for seconds or `{s}ms` for milliseconds";
            return false;
        }

        var total = TimeSpan.Zero;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == start || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                error = $"`{s}` is not a duration; write e.g. `30s`, `500ms`, `10m`, `1h` or `1m30s`";
                return false;
            }

            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            var unit = s[unitStart..i];
            TimeSpan part;
            switch (unit)
            {
                case "ms": part = TimeSpan.FromMilliseconds(amount); break;
                case "s": part = TimeSpan.FromSeconds(amount); break;
                case "m": part = TimeSpan.FromMinutes(amount); break;
                case "h": part = TimeSpan.FromHours(amount); break;
                case "":
                    error = $"`{s}` is missing a unit after `{s[start..i]}`; use ms, s, m or h";
                    return false;
                default:
                    error = $"`{s}` has an unknown unit `{unit}`; use ms, s, m or h (e.g. `30s`)";
                    return false;
            }

            total += part;
        }

        value = total;
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException("Duration " + error);

    /// <summary>Shortest round-trippable text, e.g. <c>1m30s</c>, <c>500ms</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            sb.Append('-');
            value = value.Negate();
        }

        var hours = (long)value.TotalHours;
        if (hours > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (value.Minutes > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{value.Minutes}m");
        }

        if (value.Seconds > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{value.Seconds}s");
        }

        if (value.Milliseconds > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{value.Milliseconds}ms");
        }

        return sb.ToString();
    }
}
