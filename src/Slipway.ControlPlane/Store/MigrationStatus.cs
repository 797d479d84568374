namespace Slipway.ControlPlane.Store;

/// <summary>Where a release's <c>migrate</c> command stands in the ledger.</summary>
internal enum MigrationStatus
{
    /// <summary>Journaled before the command ran and never finished: the control plane stopped while it ran.</summary>
    Started,
    Succeeded,
    Failed,
}
