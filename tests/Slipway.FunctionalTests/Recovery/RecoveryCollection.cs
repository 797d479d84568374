namespace Slipway.FunctionalTests.Recovery;

/// <summary>The crash tests kill and start real processes; one at a time keeps a 2-core CI machine responsive.</summary>
[CollectionDefinition(Name)]
public sealed class RecoveryCollection
{
    public const string Name = "Recovery";
}
