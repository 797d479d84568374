namespace Slipway.ControlPlane.Spec;

/// <summary>One problem in an app spec, located so the user can jump to it.</summary>
/// <param name="File">The file name given to the parser (e.g. <c>slipway.yml</c>).</param>
/// <param name="Line">1-based line, or 0 when the problem has no position (e.g. a missing key).</param>
/// <param name="Column">1-based column, or 0 when unknown.</param>
/// <param name="Key">Dotted path of the key, e.g. <c>probes.deadline</c> or <c>build[0].run</c>; empty for the whole file.</param>
/// <param name="Message">What is wrong and what to do about it.</param>
internal sealed record SpecError(string File, int Line, int Column, string Key, string Message)
{
    public override string ToString()
    {
        var location = Line > 0 ? $"{File}:{Line}:{Column}" : File;
        return Key.Length > 0 ? $"{location}: {Key}: {Message}" : $"{location}: {Message}";
    }
}
