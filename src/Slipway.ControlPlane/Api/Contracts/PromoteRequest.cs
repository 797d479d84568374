namespace Slipway.ControlPlane.Api.Contracts;

/// <summary>Body of <c>POST /api/v1/apps/{app}/promote</c>.</summary>
public sealed record PromoteRequest
{
    /// <summary>The environment to promote to; it must come after another one in the spec's <c>environments</c>.</summary>
    public string? To { get; init; }

    /// <summary>Release id to promote; defaults to the release current in the environment before <see cref="To"/>.</summary>
    public string? Release { get; init; }
}
