namespace Slipway.FunctionalTests.Infrastructure;

/// <summary>Waits for a condition by polling it until a deadline: tests never sleep a fixed time and hope.</summary>
internal static class Poll
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        var until = DateTimeOffset.UtcNow + deadline;
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTimeOffset.UtcNow > until)
            {
                throw new TimeoutException($"Timed out after {deadline.TotalSeconds:0.#} s waiting for {what}.");
            }

            await Task.Delay(Interval);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan deadline, string what) =>
        UntilAsync(() => Task.FromResult(condition()), deadline, what);

    /// <summary>Polls until <paramref name="read"/> gives a value that passes <paramref name="done"/>, and returns it.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan deadline, string what)
    {
        T value = default!;
        await UntilAsync(async () => done(value = await read()), deadline, what);
        return value;
    }
}
