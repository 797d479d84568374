namespace Slipway.ControlPlane.Dashboard.EdgeCharts;

/// <summary>One series value from a Prometheus text page.</summary>
internal sealed record MetricLine(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
