namespace Slipway.FunctionalTests.Dashboard;

/// <summary>The dashboard test classes share one real <c>slipway up</c> and one browser, one class after another.</summary>
[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "Dashboard";
}
