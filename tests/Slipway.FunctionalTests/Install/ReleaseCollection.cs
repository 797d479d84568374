namespace Slipway.FunctionalTests.Install;

/// <summary>The tests of the release artifacts share one build of them.</summary>
[CollectionDefinition(Name)]
public sealed class ReleaseCollection : ICollectionFixture<ReleaseArtifacts>
{
    public const string Name = "Release";
}
