using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Slipway.ControlPlane.Api;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.ControlPlane.Deployments;
using Slipway.ControlPlane.Hosting;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.SelfDeploy;

/// <summary>
/// <c>POST /api/v1/self/deploy</c>: synchronous like <c>deploy?wait=true</c>. The request reaches the instance being
/// replaced, which stays up (draining) until the handoff ends and answers with the final outcome from the store.
/// </summary>
internal static class SelfDeployApi
{
    public static void Map(WebApplication app, SelfOperations self, DeploymentService deployments, string logsRoot)
    {
        app.MapPost("/api/v1/self/deploy", async (HttpRequest request, CancellationToken ct) =>
        {
            SelfDeployRequest body;
            try
            {
                using var reader = new StreamReader(request.Body);
                var text = await reader.ReadToEndAsync(ct);
                body = string.IsNullOrWhiteSpace(text) ? new SelfDeployRequest() : JsonSerializer.Deserialize<SelfDeployRequest>(text, AdminApi.Json) ?? new SelfDeployRequest();
            }
            catch (JsonException e)
            {
                throw ApiProblem.BadRequest($"The request body is not valid JSON: {e.Message}");
            }

            var (deployment, _) = self.Deploy(body);
            // Done writing once the deployment is queued: otherwise this request would hold up the very handoff it waits for.
            Readiness.WritePermit.EndEarly(request.HttpContext);
            var ended = await deployments.WaitAsync(deployment.Id, ct);
            var tail = DeployLog.ReadTail(Path.Combine(logsRoot, "deployments", ended.Id + ".log"));
            var status = ended.Status switch
            {
                DeploymentStatus.Succeeded => 200,
                DeploymentStatus.Failed => 500,
                _ => 409,
            };
            return Results.Json(Views.Outcome(ended, tail), AdminApi.Json, statusCode: status);
        });
    }
}
