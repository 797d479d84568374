namespace Slipway.Cli;

/// <summary>What <c>slipway init</c> recognised in a directory.</summary>
internal enum ProjectKind
{
    Unknown,
    DotNet,
    Node,
    Python,
    Docker,
}
