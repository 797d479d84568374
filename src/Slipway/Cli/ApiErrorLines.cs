using Slipway.ControlPlane.Api.Contracts;

namespace Slipway.Cli;

/// <summary>Renders <c>ApiError.details</c> as <c>file:line key: message</c>, the form editors and CI annotate.</summary>
internal static class ApiErrorLines
{
    public static IReadOnlyList<string> Format(ApiError? error, string? localFile)
    {
        if (error?.Details is not { Count: > 0 } details)
        {
            return [];
        }

        return details.Select(detail =>
        {
            // The server only knows the spec as uploaded; the user's path is the one their editor opens.
            var file = localFile ?? detail.File;
            var location = file is null ? "" : detail.Line is { } line ? $"{file}:{line}" : file;
            var key = string.IsNullOrEmpty(detail.Key) ? "" : $"{detail.Key}: ";
            var prefix = location.Length > 0 ? location + " " : "";
            return $"{prefix}{key}{detail.Message}";
        }).ToList();
    }
}
