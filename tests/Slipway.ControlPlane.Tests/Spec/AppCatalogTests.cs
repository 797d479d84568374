using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.ControlPlane.Tests.Store;

namespace Slipway.ControlPlane.Tests.Spec;

public sealed class AppCatalogTests : IDisposable
{
    private const string Hello = "app: hello\nrun: { command: ./hello }\n";

    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Find_SameStoredVersion_ParsesOnce()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"), _time);
        store.UpsertApp("hello", Hello);
        var catalog = new AppCatalog(store);

        var first = catalog.Find("hello");

        Assert.NotNull(first);
        Assert.Same(first, catalog.Find("hello"));
    }

    [Fact]
    public void Find_SpecChanged_ParsesTheNewVersion()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"), _time);
        store.UpsertApp("hello", Hello);
        var catalog = new AppCatalog(store);
        var before = catalog.Find("hello")!;

        store.UpsertApp("hello", Hello + "promote: manual\n");

        Assert.Equal(PromoteMode.Auto, before.Promote);
        Assert.Equal(PromoteMode.Manual, catalog.Find("hello")!.Promote);
    }

    [Fact]
    public void TryFind_UnparsableOrMissing_IsNull()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"), _time);
        store.UpsertApp("broken", "app: broken\nrun: { command: ./x }\nprobes: nonsense\n");
        var catalog = new AppCatalog(store);

        Assert.Null(catalog.TryFind("broken"));
        Assert.Null(catalog.TryFind("missing"));
        Assert.Throws<SpecException>(() => catalog.Find("broken"));
    }
}
