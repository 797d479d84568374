namespace Slipway.Cli;

/// <summary>One line of <c>slipway doctor</c>: what was checked, what was found, and how to fix it when it is not fine.</summary>
internal sealed record DoctorCheck(string Name, DoctorStatus Status, string Detail, string? Hint = null)
{
    public string Render() => Hint is null || Status == DoctorStatus.Ok
        ? $"{Name}: {Detail}"
        : $"{Name}: {Detail} (fix: {Hint})";
}
