using System.Globalization;

namespace Slipway.ControlPlane.Dashboard.EdgeCharts;

/// <summary>Reads the edge's Prometheus text (the subset its exporter writes: <c>name{k="v",...} value</c>, no timestamps).</summary>
internal static class PrometheusText
{
    public static IEnumerable<MetricLine> Parse(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            if (space <= 0 || !double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var series = line[..space];
            var brace = series.IndexOf('{', StringComparison.Ordinal);
            if (brace < 0)
            {
                yield return new MetricLine(series, new Dictionary<string, string>(StringComparer.Ordinal), value);
                continue;
            }

            if (!series.EndsWith('}') || Labels(series[(brace + 1)..^1]) is not { } labels)
            {
                continue;
            }

            yield return new MetricLine(series[..brace], labels, value);
        }
    }

    private static Dictionary<string, string>? Labels(string text)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (i < text.Length)
        {
            var eq = text.IndexOf('=', i);
            if (eq < 0 || eq + 1 >= text.Length || text[eq + 1] != '"')
            {
                return null;
            }

            var name = text[i..eq].Trim().TrimStart(',').Trim();
            var value = new System.Text.StringBuilder();
            var j = eq + 2;
            for (; j < text.Length && text[j] != '"'; j++)
            {
                if (text[j] == '\\' && j + 1 < text.Length)
                {
                    j++;
                    value.Append(text[j] == 'n' ? '\n' : text[j]);
                    continue;
                }

                value.Append(text[j]);
            }

            if (j >= text.Length)
            {
                return null;
            }

            labels[name] = value.ToString();
            i = j + 1;
        }

        return labels;
    }
}
