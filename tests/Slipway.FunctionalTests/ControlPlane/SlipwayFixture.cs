using System.Collections.Concurrent;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.ControlPlane;

/// <summary>
/// One real <c>slipway up</c> shared by the control-plane test classes (they run one after another in
/// <see cref="ControlPlaneCollection"/>); each test uses apps of its own, so they do not see each other.
/// </summary>
public sealed class SlipwayFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<object>>> _once = new(StringComparer.Ordinal);
    private SlipwayProcess? _slipway;

    internal SlipwayProcess Slipway => _slipway ?? throw new InvalidOperationException("Not started.");

    internal AdminHttp Admin => Slipway.Admin;

    internal AppSources Sources { get; } = new();

    public async Task InitializeAsync() => _slipway = await SlipwayProcess.UpAsync();

    /// <summary>Runs <paramref name="setUp"/> once per <paramref name="key"/> for the whole collection (e.g. deploy a baseline).</summary>
    internal async Task<T> OnceAsync<T>(string key, Func<Task<T>> setUp)
        where T : class =>
        (T)await _once.GetOrAdd(key, _ => new Lazy<Task<object>>(async () => await setUp())).Value;

    public async Task DisposeAsync()
    {
        if (_slipway is not null)
        {
            await _slipway.DisposeAsync();
        }

        Sources.Dispose();
    }
}
