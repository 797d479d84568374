using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Observability;
using Slipway.Edge.Services;
using Slipway.Edge.Supervision;

namespace Slipway.Edge.Control;

/// <summary>The routes of <c>docs/edge-control-api.md</c>, served on the edge's Unix socket.</summary>
internal sealed class ControlApi(ServiceRegistry services, ProcessSupervisor supervisor, PrometheusExporter exporter, ControlApiOptions options)
{
    private const int DefaultTailLines = 100;
    private const int MaximumTailLines = 10_000;

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/version", Handle(_ => Task.FromResult(Json(new EdgeVersion { Version = options.Version, Pid = Environment.ProcessId }))));
        routes.MapPost("/upgrade", Handle(async context =>
        {
            var upgrade = options.Upgrade ?? throw ControlException.NotFound("This edge cannot hand itself over to a new edge.");
            var request = await ReadBodyAsync<UpgradeRequest>(context);
            return Json(await upgrade(request, context.RequestAborted));
        }));
        routes.MapGet("/status", Handle(_ => Task.FromResult(Json(new EdgeStatus { Services = services.List(), Processes = supervisor.List() }))));

        routes.MapGet("/services", Handle(_ => Task.FromResult(Json(services.List()))));
        routes.MapPut("/services/{name}", Handle(async context =>
        {
            var name = ServiceName(context);
            var definition = await ReadBodyAsync<ServiceDefinition>(context);
            return Json(services.Upsert(name, definition));
        }));
        routes.MapGet("/services/{name}", Handle(context =>
        {
            var name = ServiceName(context);
            return Task.FromResult(Json(services.Get(name) ?? throw UnknownService(name)));
        }));
        routes.MapDelete("/services/{name}", Handle(async context =>
        {
            var name = ServiceName(context);
            return await services.DeleteAsync(name, context.RequestAborted) ? Results.NoContent() : throw UnknownService(name);
        }));
        routes.MapPost("/services/{name}/targets", Handle(async context =>
        {
            var name = ServiceName(context);
            var request = await ReadBodyAsync<SetTargetsRequest>(context);
            EnsureService(name);
            return Json(await services.SetTargetsAsync(name, request, context.RequestAborted));
        }));
        routes.MapPost("/services/{name}/pause", Handle(context =>
        {
            var name = ServiceName(context);
            EnsureService(name);
            return Task.FromResult(Json(services.Pause(name)));
        }));
        routes.MapPost("/services/{name}/resume", Handle(context =>
        {
            var name = ServiceName(context);
            EnsureService(name);
            return Task.FromResult(Json(services.Resume(name)));
        }));
        routes.MapPost("/services/{name}/maintenance", Handle(async context =>
        {
            var name = ServiceName(context);
            var request = await ReadBodyAsync<MaintenanceRequest>(context);
            EnsureService(name);
            return Json(services.SetMaintenance(name, request));
        }));

        routes.MapGet("/processes", Handle(_ => Task.FromResult(Json(supervisor.List()))));
        routes.MapPost("/processes", Handle(async context =>
        {
            var definition = await ReadBodyAsync<ProcessDefinition>(context);
            if (string.IsNullOrEmpty(definition.WorkingDirectory))
            {
                definition = definition with { WorkingDirectory = options.DefaultWorkingDirectory };
            }

            var status = supervisor.Start(definition);
            return Results.Json(status, ControlJson.Options, statusCode: StatusCodes.Status201Created);
        }));
        routes.MapGet("/processes/{id}", Handle(context =>
        {
            var id = ProcessId(context);
            return Task.FromResult(Json(supervisor.Get(id) ?? throw UnknownProcess(id)));
        }));
        routes.MapPost("/processes/{id}/stop", Handle(async context =>
        {
            var id = ProcessId(context);
            var grace = Grace(context);
            return Json(await supervisor.StopAsync(id, grace, context.RequestAborted) ?? throw UnknownProcess(id));
        }));
        routes.MapDelete("/processes/{id}", Handle(async context =>
        {
            var id = ProcessId(context);
            var grace = Grace(context);
            return await supervisor.RemoveAsync(id, grace, context.RequestAborted) ? Results.NoContent() : throw UnknownProcess(id);
        }));
        routes.MapGet("/processes/{id}/output", Handle(async context =>
        {
            var id = ProcessId(context);
            var lines = IntQuery(context, "lines", DefaultTailLines, 0, MaximumTailLines);
            if (supervisor.Get(id) is null)
            {
                throw UnknownProcess(id);
            }

            var tail = await supervisor.TailAsync(id, lines, context.RequestAborted);
            var text = tail.Count == 0 ? "" : string.Join('\n', tail) + "\n";
            return Results.Text(text, "text/plain; charset=utf-8");
        }));

        routes.MapGet("/certificates", Handle(_ => Task.FromResult(Json(Certificates().List()))));
        routes.MapPost("/certificates", Handle(async context =>
        {
            var request = await ReadBodyAsync<AddCertificateRequest>(context);
            return Results.Json(Certificates().Add(request), ControlJson.Options, statusCode: StatusCodes.Status201Created);
        }));
        routes.MapDelete("/certificates", Handle(context => Task.FromResult(Certificates().Remove(HostQuery(context)))));
        routes.MapPost("/certificates/renew", Handle(context => Task.FromResult(Certificates().Renew(HostQuery(context)))));

        routes.MapGet("/metrics", Handle(_ => Task.FromResult(Results.Text(exporter.Collect(), PrometheusExporter.ContentType))));

        routes.MapFallback(Handle(context => throw ControlException.NotFound(
            $"No control route {context.Request.Method} {context.Request.Path}; see docs/edge-control-api.md.")));
    }

    private CertificateControl Certificates() =>
        options.Certificates ?? throw ControlException.NotFound("This edge does not manage certificates.");

    private static string HostQuery(HttpContext context) =>
        context.Request.Query["host"].ToString() is { Length: > 0 } host ? host : throw ControlException.BadRequest("Give the certificate's host as ?host=NAME.", "host");

    private static RequestDelegate Handle(Func<HttpContext, Task<IResult>> handler) => async context =>
    {
        IResult result;
        try
        {
            result = await handler(context);
        }
        catch (ControlException ex)
        {
            result = Error(ex.Status, ex.Error);
        }
        catch (TargetsNotHealthyException ex)
        {
            result = Error(409, new ControlError { Error = ex.Message, LastProbes = ex.LastProbes });
        }
        catch (ArgumentException ex)
        {
            var message = ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", "", StringComparison.Ordinal);
            result = Error(400, new ControlError { Error = message, Field = ex.ParamName });
        }
        catch (KeyNotFoundException ex)
        {
            result = Error(404, new ControlError { Error = ex.Message });
        }
        catch (InvalidOperationException ex)
        {
            result = Error(409, new ControlError { Error = ex.Message });
        }

        await result.ExecuteAsync(context);
    };

    private static async Task<T> ReadBodyAsync<T>(HttpContext context)
        where T : class
    {
        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync<T>(context.Request.Body, ControlJson.Options, context.RequestAborted);
        }
        catch (JsonException ex)
        {
            var field = FieldFromPath(ex.Path);
            var where = field is null ? "" : $" at '{field}'";
            throw ControlException.BadRequest(
                $"The request body is not valid JSON for this call{where} (line {(ex.LineNumber ?? 0) + 1}). Send a JSON object as described in docs/edge-control-api.md.",
                field);
        }

        return value ?? throw ControlException.BadRequest("The request body must be a JSON object, not null or empty.", null);
    }

    /// <summary><c>$.health.intervalMs</c> → <c>health.intervalMs</c>; the root (<c>$</c>) names no field.</summary>
    internal static string? FieldFromPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static string ServiceName(HttpContext context)
    {
        var name = (string)context.Request.RouteValues["name"]!;
        return ProcessSupervisor.IsValidId(name)
            ? name
            : throw ControlException.BadRequest(
                "A service name is 1–100 letters, digits, '.', '_' or '-', starting with a letter or digit.", "name");
    }

    private static string ProcessId(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        return ProcessSupervisor.IsValidId(id)
            ? id
            : throw ControlException.BadRequest(
                "A process id is 1–100 letters, digits, '.', '_' or '-', starting with a letter or digit.", "id");
    }

    private void EnsureService(string name)
    {
        if (services.Get(name) is null)
        {
            throw UnknownService(name);
        }
    }

    private static TimeSpan? Grace(HttpContext context) =>
        context.Request.Query.ContainsKey("graceMs")
            ? TimeSpan.FromMilliseconds(IntQuery(context, "graceMs", 0, 0, int.MaxValue))
            : null;

    private static int IntQuery(HttpContext context, string key, int fallback, int min, int max)
    {
        var raw = context.Request.Query[key].ToString();
        if (raw.Length == 0)
        {
            return fallback;
        }

        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw ControlException.BadRequest($"'{key}' must be a whole number from {min} to {max}.", key);
    }

    private static ControlException UnknownService(string name) =>
        ControlException.NotFound($"No service '{name}'. Create it with PUT /services/{name}.");

    private static ControlException UnknownProcess(string id) =>
        ControlException.NotFound($"No process '{id}'. Start it with POST /processes.");

    private static IResult Json<T>(T value) => Results.Json(value, ControlJson.Options);

    private static IResult Error(int status, ControlError error) => Results.Json(error, ControlJson.Options, statusCode: status);
}
