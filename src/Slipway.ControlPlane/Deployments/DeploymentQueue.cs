namespace Slipway.ControlPlane.Deployments;

/// <summary>
/// Single flight per app (docs/architecture.md §3): at most one deployment of an app runs and one more may wait.
/// A request for what is already queued or running joins it; a request for something else replaces
/// the waiting one, which ends superseded. Pure bookkeeping, no I/O: the caller journals each decision.
/// Not thread-safe; the caller serialises access. <c>createId</c> runs only when a new deployment is needed.
/// </summary>
internal sealed class DeploymentQueue
{
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    public EnqueueDecision Enqueue(string app, string key, Func<string> createId)
    {
        var slot = SlotOf(app);
        if (slot.Running is { } running && running.Key == key)
        {
            return new EnqueueDecision(EnqueueOutcome.Coalesced, running.Id, null);
        }

        if (slot.Queued is { } queued && queued.Key == key)
        {
            return new EnqueueDecision(EnqueueOutcome.Coalesced, queued.Id, null);
        }

        var ticket = new Ticket(createId(), key);
        if (slot.Running is null)
        {
            slot.Running = ticket;
            return new EnqueueDecision(EnqueueOutcome.StartNow, ticket.Id, null);
        }

        var superseded = slot.Queued?.Id;
        slot.Queued = ticket;
        return new EnqueueDecision(EnqueueOutcome.Queued, ticket.Id, superseded);
    }

    /// <summary>The running deployment ended; returns the id of the waiting one, which now runs.</summary>
    public string? Complete(string app, string id)
    {
        var slot = SlotOf(app);
        if (slot.Running?.Id != id)
        {
            return null;
        }

        slot.Running = slot.Queued;
        slot.Queued = null;
        return slot.Running?.Id;
    }

    /// <summary>Removes a waiting deployment. False when it is not waiting (running or unknown).</summary>
    public bool RemoveQueued(string app, string id)
    {
        var slot = SlotOf(app);
        if (slot.Queued?.Id != id)
        {
            return false;
        }

        slot.Queued = null;
        return true;
    }

    public bool IsRunning(string app, string id) => SlotOf(app).Running?.Id == id;

    public string? RunningId(string app) => SlotOf(app).Running?.Id;

    public string? QueuedId(string app) => SlotOf(app).Queued?.Id;

    private Slot SlotOf(string app)
    {
        if (!_slots.TryGetValue(app, out var slot))
        {
            slot = new Slot();
            _slots[app] = slot;
        }

        return slot;
    }

    private sealed class Slot
    {
        public Ticket? Running { get; set; }

        public Ticket? Queued { get; set; }
    }

    private sealed record Ticket(string Id, string Key);
}

internal enum EnqueueOutcome
{
    /// <summary>Joined the deployment already queued or running with the same key.</summary>
    Coalesced,

    /// <summary>Nothing was running: the new deployment runs now.</summary>
    StartNow,

    /// <summary>Waits behind the running one; <see cref="EnqueueDecision.Superseded"/> is the one it replaced.</summary>
    Queued,
}

internal sealed record EnqueueDecision(EnqueueOutcome Outcome, string Id, string? Superseded);
