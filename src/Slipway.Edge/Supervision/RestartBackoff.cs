namespace Slipway.Edge.Supervision;

/// <summary>Exponential restart delay: 1 s doubling to 30 s, back to 1 s once a run lasted long enough to count as stable.</summary>
internal static class RestartBackoff
{
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Maximum = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(60);

    public static TimeSpan Next(TimeSpan? previous, TimeSpan ranFor)
    {
        if (previous is null || ranFor >= StableAfter)
        {
            return Initial;
        }

        var doubled = previous.Value * 2;
        return doubled > Maximum ? Maximum : doubled;
    }
}
