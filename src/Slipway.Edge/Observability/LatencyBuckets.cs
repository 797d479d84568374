namespace Slipway.Edge.Observability;

/// <summary>
/// The fixed latency buckets of the per-target histograms (<see cref="TargetStats"/>): upper bounds growing by 25 %
/// from 0.5 ms to about a minute, plus one overflow bucket. Fixed bounds let two snapshots be subtracted bucket by
/// bucket, so a window's percentiles come from the difference of two cumulative histograms.
/// </summary>
public static class LatencyBuckets
{
    private const double First = 0.5;
    private const double Growth = 1.25;

    /// <summary>Upper bound in milliseconds of every bucket but the last (overflow) one.</summary>
    public static IReadOnlyList<double> BoundsMs { get; } = CreateBounds();

    /// <summary>Number of buckets, the overflow bucket included.</summary>
    public static int Count => BoundsMs.Count + 1;

    public static int IndexOf(double milliseconds)
    {
        if (milliseconds <= First)
        {
            return 0;
        }

        var index = (int)Math.Ceiling(Math.Log(milliseconds / First) / Math.Log(Growth));
        // Rounding in the logarithm may land one off; the bounds decide.
        while (index < BoundsMs.Count && milliseconds > BoundsMs[index])
        {
            index++;
        }

        while (index > 0 && index <= BoundsMs.Count && milliseconds <= BoundsMs[index - 1])
        {
            index--;
        }

        return Math.Min(index, BoundsMs.Count);
    }

    /// <summary>
    /// The <paramref name="quantile"/> (0–1) of the latencies counted in <paramref name="counts"/>, interpolated inside
    /// its bucket; null when nothing was counted. A value in the overflow bucket reports the last bound.
    /// </summary>
    public static double? Percentile(IReadOnlyList<long> counts, double quantile)
    {
        long total = 0;
        foreach (var count in counts)
        {
            total += count;
        }

        if (total == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            if (counts[i] == 0)
            {
                continue;
            }

            if (seen + counts[i] >= rank)
            {
                if (i >= BoundsMs.Count)
                {
                    return BoundsMs[^1];
                }

                var lower = i == 0 ? 0 : BoundsMs[i - 1];
                var upper = BoundsMs[i];
                return lower + ((upper - lower) * (rank - seen) / counts[i]);
            }

            seen += counts[i];
        }

        return BoundsMs[^1];
    }

    private static double[] CreateBounds()
    {
        var bounds = new List<double>();
        for (var bound = First; bound <= 60_000; bound *= Growth)
        {
            bounds.Add(Math.Round(bound, 3));
        }

        return [.. bounds];
    }
}
