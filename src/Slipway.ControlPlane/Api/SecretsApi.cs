using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.ControlPlane.Deployments;
using Slipway.ControlPlane.Secrets;
using Slipway.Edge.Secrets;

namespace Slipway.ControlPlane.Api;

/// <summary>
/// <c>/api/v1/apps/{app}/secrets</c>: set, list (names only) and unset an app's secrets. A value goes in once and never
/// comes back out through the API.
/// </summary>
internal static class SecretsApi
{
    public static void Map(RouteGroupBuilder api, AdminApi.Services s)
    {
        api.MapGet("/apps/{app}/secrets", (string app) =>
        {
            s.Queries.Spec(app);
            return Results.Json(Secrets(s).List(app).Select(r => new SecretView { Name = r.Name, UpdatedAt = r.UpdatedAt }), AdminApi.Json);
        });

        api.MapPut("/apps/{app}/secrets/{name}", async (string app, string name, HttpRequest request, CancellationToken ct) =>
        {
            s.Queries.Spec(app);
            if (SecretNames.NameProblem(name) is { } nameProblem)
            {
                throw ApiProblem.BadRequest(nameProblem);
            }

            var body = await AdminApi.ReadJsonAsync<SecretValueRequest>(request, ct, SecretNames.MaximumValueBytes * 2);
            if (SecretNames.ValueProblem(body?.Value) is { } valueProblem)
            {
                throw ApiProblem.BadRequest(valueProblem + ", as {\"value\": \"...\"}");
            }

            var secrets = Secrets(s);
            var created = secrets.Set(app, name, body!.Value!);
            var record = secrets.List(app).Single(r => r.Name == name);
            return Results.Json(new SecretView
            {
                Name = name,
                UpdatedAt = record.UpdatedAt,
                Created = created,
                Warning = body.Value!.Length < SecretPatterns.MinimumLength
                    ? $"the value is shorter than {SecretPatterns.MinimumLength} characters: it is injected, but not masked in output (it would mask too much)"
                    : null,
            }, AdminApi.Json, statusCode: created ? 201 : 200);
        });

        api.MapDelete("/apps/{app}/secrets/{name}", (string app, string name) =>
        {
            s.Queries.Spec(app);
            if (SecretNames.NameProblem(name) is { } nameProblem)
            {
                throw ApiProblem.BadRequest(nameProblem);
            }

            return Secrets(s).Unset(app, name)
                ? Results.NoContent()
                : throw ApiProblem.NotFound($"{app} has no secret {name}; `slipway secrets list {app}` shows the ones it has.");
        });
    }

    private static AppSecrets Secrets(AdminApi.Services s) =>
        s.Secrets ?? throw new ApiProblem(503, "secrets are not available on this server");
}
