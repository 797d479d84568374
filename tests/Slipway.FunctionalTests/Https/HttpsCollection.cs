namespace Slipway.FunctionalTests.Https;

/// <summary>The HTTPS tests each run a Slipway and a Pebble; one at a time keeps them off each other's CPU.</summary>
[CollectionDefinition(Name)]
public sealed class HttpsCollection
{
    public const string Name = "https";
}
