using System.Globalization;

namespace Slipway.ControlPlane.Processes;

/// <summary>
/// Short human durations for log lines and error summaries: <c>250ms</c>, <c>4.2s</c>, <c>10m</c>, <c>1h30m</c>.
/// </summary>
internal static class Durations
{
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1))
        {
            return $"{(int)duration.TotalMilliseconds}ms";
        }

        if (duration < TimeSpan.FromMinutes(1))
        {
            return duration.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + "s";
        }

        var parts = new List<string>();
        if (duration.TotalHours >= 1)
        {
            parts.Add($"{(int)duration.TotalHours}h");
        }

        if (duration.Minutes > 0)
        {
            parts.Add($"{duration.Minutes}m");
        }

        if (duration.Seconds > 0)
        {
            parts.Add($"{duration.Seconds}s");
        }

        return string.Concat(parts);
    }
}
