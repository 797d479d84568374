using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Slipway.ControlPlane.Runtime.Swarm;

namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>The Engine API of a swarm manager: swarm state, nodes, services and their tasks, and pushing images to a registry.</summary>
internal sealed partial class DockerEngine
{
    /// <summary>Whether this engine is a swarm manager, and its node id; the error says what to do when it is not.</summary>
    public async Task<(bool Manager, string? NodeId, string State)> SwarmStateAsync(CancellationToken cancellationToken)
    {
        using var doc = await GetJsonAsync("info", cancellationToken);
        var swarm = doc.RootElement.TryGetProperty("Swarm", out var s) ? s : default;
        return (swarm.ValueKind == JsonValueKind.Object && swarm.TryGetProperty("ControlAvailable", out var control) && control.GetBoolean(),
            Str(swarm, "NodeID") is { Length: > 0 } node ? node : null, Str(swarm, "LocalNodeState") ?? "inactive");
    }

    /// <summary>Pushes <paramref name="repository"/>:<paramref name="tag"/> to its registry; returns the manifest digest the registry gave.</summary>
    public async Task<string> PushImageAsync(string repository, string tag, Action<string> log, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post,
            await PathAsync($"images/{Uri.EscapeDataString(repository)}/push?tag={Uri.EscapeDataString(tag)}", cancellationToken));
        // No credentials: a registry that wants them is not supported yet (docs/scale-out.md). The header must be there.
        request.Headers.Add("X-Registry-Auth", Convert.ToBase64String(Encoding.UTF8.GetBytes("{}")));
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, $"push {repository}:{tag}", cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream);
        string? digest = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var message = JsonDocument.Parse(line);
            if (Str(message.RootElement, "error") is { } error)
            {
                throw new DockerEngineErrorException(SocketPath, $"push {repository}:{tag}", HttpStatusCode.OK, error);
            }

            if (message.RootElement.TryGetProperty("aux", out var aux) && Str(aux, "Digest") is { } pushed)
            {
                digest = pushed;
            }
            else if (Str(message.RootElement, "status") is { } status && !message.RootElement.TryGetProperty("progressDetail", out _))
            {
                log(status);
            }
        }

        return digest ?? throw new DockerEngineErrorException(SocketPath, $"push {repository}:{tag}", HttpStatusCode.OK, "the engine reported no digest for the pushed image");
    }

    /// <returns>The new service's id.</returns>
    public async Task<string> CreateServiceAsync(SwarmServiceCreate create, CancellationToken cancellationToken)
    {
        var env = new JsonArray([.. create.Environment.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (JsonNode)$"{e.Key}={e.Value}")]);
        var body = new JsonObject
        {
            ["Name"] = create.Name,
            ["Labels"] = ToObject(create.Labels),
            ["TaskTemplate"] = new JsonObject
            {
                ["ContainerSpec"] = new JsonObject
                {
                    ["Image"] = create.Image,
                    ["Env"] = env,
                    ["Labels"] = ToObject(create.Labels),
                    ["StopGracePeriod"] = (long)(create.StopGrace.TotalMilliseconds * 1_000_000),
                },
                // From the start: changing it later is a change of the task spec, which makes the swarm replace every
                // running task. A candidate's failed task still fails validation: it stays in the task history.
                ["RestartPolicy"] = new JsonObject { ["Condition"] = "any" },
                ["Placement"] = new JsonObject
                {
                    ["Constraints"] = new JsonArray([.. create.Constraints.Select(c => (JsonNode)c)]),
                    ["MaxReplicas"] = create.MaxPerNode,
                },
                // The host network: a task listens on its node's address at PORT, which the edge reaches directly.
                ["Networks"] = new JsonArray(new JsonObject { ["Target"] = "host" }),
            },
            ["Mode"] = Replicated(create.Replicas),
        };
        using var response = await SendAsync(HttpMethod.Post, "services/create", body, cancellationToken);
        await EnsureSuccessAsync(response, $"create service {create.Name}", cancellationToken);
        using var doc = await ReadJsonAsync(response, cancellationToken);
        return Str(doc.RootElement, "ID") ?? throw new DockerEngineErrorException(SocketPath, $"create service {create.Name}", response.StatusCode, "no ID in the answer");
    }

    /// <returns>The service named or numbered <paramref name="nameOrId"/>, or null when the swarm has none.</returns>
    public async Task<SwarmService?> InspectServiceAsync(string nameOrId, CancellationToken cancellationToken)
    {
        using var doc = await GetJsonOrNullAsync($"services/{Uri.EscapeDataString(nameOrId)}", cancellationToken);
        return doc is null ? null : ReadService(doc.RootElement);
    }

    /// <summary>The services carrying every one of the given labels.</summary>
    public async Task<IReadOnlyList<SwarmService>> ListServicesAsync(IEnumerable<string> labelFilters, CancellationToken cancellationToken)
    {
        var filters = JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = [.. labelFilters] });
        using var doc = await GetJsonAsync($"services?filters={Uri.EscapeDataString(filters)}", cancellationToken);
        return [.. doc.RootElement.EnumerateArray().Select(ReadService)];
    }

    /// <summary>Sets how many tasks the service runs (a change of its mode, not of its task spec: no task is replaced).</summary>
    public Task ScaleServiceAsync(string nameOrId, int replicas, CancellationToken cancellationToken) =>
        UpdateServiceAsync(nameOrId, $"run {replicas.ToString(CultureInfo.InvariantCulture)} task(s)", spec =>
        {
            spec["Mode"] = Replicated(replicas);
            return true;
        }, cancellationToken);

    /// <summary>Starts every task again (the swarm's <c>--force</c> update), with <paramref name="replicas"/> of them.</summary>
    public Task RestartServiceAsync(string nameOrId, int replicas, CancellationToken cancellationToken) =>
        UpdateServiceAsync(nameOrId, "restart its tasks", spec =>
        {
            var template = spec["TaskTemplate"]!.AsObject();
            template["ForceUpdate"] = (template["ForceUpdate"]?.GetValue<long>() ?? 0) + 1;
            spec["Mode"] = Replicated(replicas);
            return true;
        }, cancellationToken);

    /// <summary>The last lines of every task's output (the swarm gathers them from the nodes).</summary>
    public Task<string> ServiceLogsAsync(string nameOrId, int lines, CancellationToken cancellationToken) =>
        TailAsync($"services/{Uri.EscapeDataString(nameOrId)}/logs", lines, $"service {nameOrId}", cancellationToken);

    private async Task UpdateServiceAsync(string nameOrId, string what, Func<JsonObject, bool> change, CancellationToken cancellationToken)
    {
        using var current = await GetJsonAsync($"services/{Uri.EscapeDataString(nameOrId)}", cancellationToken);
        var version = current.RootElement.GetProperty("Version").GetProperty("Index").GetInt64();
        var spec = JsonNode.Parse(current.RootElement.GetProperty("Spec").GetRawText())!.AsObject();
        if (!change(spec))
        {
            return;
        }

        using var response = await SendAsync(HttpMethod.Post,
            $"services/{Uri.EscapeDataString(nameOrId)}/update?version={version.ToString(CultureInfo.InvariantCulture)}", spec, cancellationToken);
        await EnsureSuccessAsync(response, $"update service {nameOrId} to {what}", cancellationToken);
    }

    /// <summary>Removes a service (its tasks get their stop grace); a no-op for an unknown one.</summary>
    public async Task RemoveServiceAsync(string nameOrId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"services/{Uri.EscapeDataString(nameOrId)}", null, cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            await EnsureSuccessAsync(response, $"remove service {nameOrId}", cancellationToken);
        }
    }

    /// <summary>Every task the swarm still lists for the service, newest first (a service keeps a few ended ones).</summary>
    public async Task<IReadOnlyList<SwarmTask>> ListTasksAsync(string serviceId, CancellationToken cancellationToken)
    {
        var filters = JsonSerializer.Serialize(new Dictionary<string, string[]> { ["service"] = [serviceId] });
        using var doc = await GetJsonAsync($"tasks?filters={Uri.EscapeDataString(filters)}", cancellationToken);
        return [.. doc.RootElement.EnumerateArray().Select(t =>
        {
            var status = t.GetProperty("Status");
            var container = status.TryGetProperty("ContainerStatus", out var c) ? c : default;
            return new SwarmTask
            {
                Id = Str(t, "ID") ?? "",
                Slot = t.TryGetProperty("Slot", out var slot) ? slot.GetInt32() : 0,
                NodeId = Str(t, "NodeID") ?? "",
                State = TaskState(Str(status, "State")),
                DesiredState = TaskState(Str(t, "DesiredState")),
                Error = Str(status, "Err"),
                Message = Str(status, "Message"),
                ContainerId = Str(container, "ContainerID"),
                ExitCode = container.ValueKind == JsonValueKind.Object && container.TryGetProperty("ExitCode", out var exit) ? exit.GetInt32() : null,
                Pid = container.ValueKind == JsonValueKind.Object && container.TryGetProperty("PID", out var pid) && pid.GetInt32() > 0 ? pid.GetInt32() : null,
                Image = t.TryGetProperty("Spec", out var spec) && spec.TryGetProperty("ContainerSpec", out var cs) ? Str(cs, "Image") : null,
                At = DateTimeOffset.TryParse(Str(status, "Timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null,
            };
        }).OrderByDescending(t => t.At)];
    }

    /// <summary>The swarm's nodes with the address the swarm knows them by.</summary>
    public async Task<IReadOnlyList<SwarmNode>> ListNodesAsync(CancellationToken cancellationToken)
    {
        using var doc = await GetJsonAsync("nodes", cancellationToken);
        return [.. doc.RootElement.EnumerateArray().Select(n =>
        {
            var status = n.GetProperty("Status");
            var spec = n.GetProperty("Spec");
            var description = n.TryGetProperty("Description", out var d) ? d : default;
            return new SwarmNode(Str(n, "ID") ?? "", Str(description, "Hostname") ?? "", Str(status, "Addr") ?? "",
                Str(status, "State") ?? "unknown", Str(spec, "Availability") ?? "unknown", Str(spec, "Role") ?? "worker");
        })];
    }

    private static JsonObject Replicated(int replicas) => new() { ["Replicated"] = new JsonObject { ["Replicas"] = replicas } };

    private static SwarmTaskState TaskState(string? name) =>
        Enum.TryParse<SwarmTaskState>(name, ignoreCase: true, out var state) && Enum.IsDefined(state) ? state : SwarmTaskState.Unknown;

    private static SwarmService ReadService(JsonElement service)
    {
        var spec = service.GetProperty("Spec");
        var replicas = spec.TryGetProperty("Mode", out var mode) && mode.TryGetProperty("Replicated", out var replicated)
            && replicated.TryGetProperty("Replicas", out var count) ? count.GetInt32() : 0;
        var image = spec.TryGetProperty("TaskTemplate", out var template) && template.TryGetProperty("ContainerSpec", out var container)
            ? Str(container, "Image") : null;
        return new SwarmService(Str(service, "ID") ?? "", Str(spec, "Name") ?? "", image ?? "", replicas, Labels(spec),
            DateTimeOffset.TryParse(Str(service, "CreatedAt"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created) ? created : null);
    }
}
