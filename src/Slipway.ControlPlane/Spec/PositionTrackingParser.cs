using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Slipway.ControlPlane.Spec;

/// <summary>
/// Remembers where the last successfully read YAML event ended, so that scanner failures that YamlDotNet reports
/// without a position (it throws <see cref="InvalidOperationException"/> for some malformed input) still get a line.
/// </summary>
internal sealed class PositionTrackingParser : IParser
{
    private readonly Parser _inner;

    public PositionTrackingParser(TextReader input)
    {
        _inner = new Parser(input);
    }

    public Mark LastGood { get; private set; } = Mark.Empty;

    public ParsingEvent? Current => _inner.Current;

    /// <summary>
    /// How deep mappings and sequences may nest. A real spec needs 4 levels; building the tree of a document nested
    /// thousands deep recurses once per level and overflowed the stack, taking the control plane down with it.
    /// </summary>
    public const int MaxDepth = 32;

    private int _depth;

    public bool MoveNext()
    {
        if (_inner.Current is { } current)
        {
            LastGood = current.End;
        }

        if (!_inner.MoveNext())
        {
            return false;
        }

        switch (_inner.Current)
        {
            case MappingStart or SequenceStart when ++_depth > MaxDepth:
                throw new SpecLimitException(_inner.Current.Start,
                    $"nests mappings and sequences more than {MaxDepth} levels deep (the limit); an app spec needs a handful, so flatten it");
            case MappingEnd or SequenceEnd:
                _depth--;
                break;
        }

        return true;
    }
}
