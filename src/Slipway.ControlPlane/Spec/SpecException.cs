namespace Slipway.ControlPlane.Spec;

/// <summary>An app spec was rejected. Carries every problem found, not only the first.</summary>
internal sealed class SpecException : Exception
{
    public SpecException(IReadOnlyList<SpecError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<SpecError> Errors { get; }

    private static string Describe(IReadOnlyList<SpecError> errors)
    {
        var header = errors.Count == 1 ? "The app spec has 1 problem:" : $"The app spec has {errors.Count} problems:";
        return header + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
    }
}
