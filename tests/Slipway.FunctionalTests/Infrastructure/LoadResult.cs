namespace Slipway.FunctionalTests.Infrastructure;

/// <summary>What an <see cref="EdgeLoad"/> saw: counts, a few failures for the message, and each accepted body's count.</summary>
internal sealed record LoadResult(int Requests, int Failures, IReadOnlyList<string> FailureSamples, IReadOnlyDictionary<string, int> Bodies)
{
    public override string ToString() =>
        $"{Requests} requests, {Failures} failed; bodies: {string.Join(", ", Bodies.Select(b => $"'{b.Key}' x{b.Value}"))}"
        + (FailureSamples.Count > 0 ? "\nfirst failures:\n  " + string.Join("\n  ", FailureSamples) : "");
}
