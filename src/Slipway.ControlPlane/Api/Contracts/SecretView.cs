namespace Slipway.ControlPlane.Api.Contracts;

/// <summary>One app secret as the API shows it: its name and when it was set, never its value.</summary>
public sealed record SecretView
{
    public string Name { get; init; } = "";

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>On set: true when the name was new, false when an existing value was replaced.</summary>
    public bool? Created { get; init; }

    /// <summary>On set: what the caller should know (e.g. a value too short to be masked in output).</summary>
    public string? Warning { get; init; }
}
