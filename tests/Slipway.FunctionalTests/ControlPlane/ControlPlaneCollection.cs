namespace Slipway.FunctionalTests.ControlPlane;

/// <summary>
/// The control-plane classes each start real Slipway processes and real app generations; running them one
/// after another keeps them from starving each other (and the deploys' probe deadlines) of CPU.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ControlPlaneCollection : ICollectionFixture<SlipwayFixture>
{
    public const string Name = "ControlPlane";
}
