namespace Slipway.ControlPlane.Dashboard.EdgeCharts;

/// <summary>One service's traffic over one sampling interval: requests per second, the share of 5xx answers, and p99 latency (seconds).</summary>
internal sealed record ServicePoint(DateTimeOffset At, double RequestsPerSecond, double? ErrorRate, double? P99Seconds);
