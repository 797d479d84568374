using YamlDotNet.Core;

namespace Slipway.ControlPlane.Spec;

/// <summary>A spec is larger or nests deeper than <see cref="AppSpecParser"/> reads; raised before any tree is built.</summary>
internal sealed class SpecLimitException(Mark at, string message) : Exception(message)
{
    public Mark At { get; } = at;
}
