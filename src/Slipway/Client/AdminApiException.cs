using System.Net;
using Slipway.ControlPlane.Api.Contracts;

namespace Slipway.Client;

/// <summary>The admin API answered with an error status; <see cref="Error"/> holds its <c>ApiError</c> body when it sent one.</summary>
internal sealed class AdminApiException(HttpStatusCode status, ApiError? error, string fallback)
    : Exception(error?.Error ?? fallback)
{
    public HttpStatusCode Status { get; } = status;

    public ApiError? Error { get; } = error;
}
