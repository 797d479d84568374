namespace Slipway.Edge.Acme;

/// <summary>When to renew and when to retry (pure, so it is tested without a clock or a server).</summary>
internal static class RenewalSchedule
{
    public static readonly TimeSpan FirstRetry = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan LongestRetry = TimeSpan.FromHours(6);

    /// <summary>Two thirds into the certificate's life, minus up to 1/30 of it (<paramref name="jitter"/> in [0, 1)) so many certificates do not renew at once.</summary>
    public static DateTimeOffset RenewAt(DateTimeOffset notBefore, DateTimeOffset notAfter, double jitter)
    {
        var lifetime = notAfter - notBefore;
        return notBefore + (lifetime * 2 / 3) - (lifetime / 30 * Math.Clamp(jitter, 0, 1));
    }

    /// <summary>Doubling from one minute up to six hours, never sooner than the server's <c>Retry-After</c>.</summary>
    public static TimeSpan Backoff(int failures, TimeSpan? retryAfter)
    {
        var doubled = FirstRetry * Math.Pow(2, Math.Clamp(failures - 1, 0, 20));
        var wait = doubled > LongestRetry ? LongestRetry : doubled;
        return retryAfter is { } asked && asked > wait ? asked : wait;
    }
}
