namespace Slipway.FunctionalTests.Docker;

/// <summary>The Docker tests share one Slipway and run one after another: builds and containers compete for 2 cores.</summary>
[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<DockerFixture>
{
    public const string Name = "Docker";
}
