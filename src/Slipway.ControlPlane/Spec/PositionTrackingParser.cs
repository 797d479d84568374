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

    public bool MoveNext()
    {
        if (_inner.Current is { } current)
        {
            LastGood = current.End;
        }

        return _inner.MoveNext();
    }
}
