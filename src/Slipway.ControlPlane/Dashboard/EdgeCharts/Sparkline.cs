using System.Globalization;
using System.Text;

namespace Slipway.ControlPlane.Dashboard.EdgeCharts;

/// <summary>
/// A small inline SVG line chart (no script, no chart library; styled by the page's CSS through classes, so the
/// strict CSP needs no inline styles). Missing values break the line. The latest value is printed beside it,
/// and the chart has a text title, so it reads without seeing it.
/// </summary>
internal static class Sparkline
{
    private const int Width = 160;
    private const int Height = 36;

    public static string Render(string label, IReadOnlyList<double?> values, Func<double, string> format)
    {
        var known = values.Where(v => v is not null).Select(v => v!.Value).ToList();
        var max = known.Count == 0 ? 1 : Math.Max(known.Max(), 1e-9);
        var latest = values.Count > 0 && values[^1] is { } last ? format(last) : "–";
        var summary = known.Count == 0
            ? $"{label}: no data yet"
            : $"{label}: latest {latest}, highest {format(known.Max())} over the last {values.Count} samples";
        var svg = new StringBuilder()
            .Append("<figure class=\"spark\"><figcaption>").Append(Html.Encode(label)).Append(" <strong>").Append(Html.Encode(latest)).Append("</strong></figcaption>")
            .Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Html.Encode(summary)}\">")
            .Append("<title>").Append(Html.Encode(summary)).Append("</title>")
            .Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"0\" y1=\"{Height - 1}\" x2=\"{Width}\" y2=\"{Height - 1}\"/>");
        var step = values.Count > 1 ? (double)Width / (EdgeSampler.Capacity - 1) : 0;
        var offset = Width - step * (values.Count - 1);
        var segment = new StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is not { } v)
            {
                Flush(svg, segment);
                continue;
            }

            var x = offset + step * i;
            var y = Height - 2 - (Height - 4) * (v / max);
            segment.Append(CultureInfo.InvariantCulture, $"{x:0.#},{y:0.#} ");
        }

        Flush(svg, segment);
        return svg.Append("</svg></figure>").ToString();
    }

    private static void Flush(StringBuilder svg, StringBuilder segment)
    {
        if (segment.Length == 0)
        {
            return;
        }

        svg.Append("<polyline class=\"line\" points=\"").Append(segment.ToString().TrimEnd()).Append("\"/>");
        segment.Clear();
    }
}
