namespace Slipway.ControlPlane.Store;

/// <summary>Why a store operation failed, so callers (the API) can map it to a status without parsing text.</summary>
internal enum StoreErrorCode
{
    /// <summary>The database file could not be opened or read (damaged, not SQLite, permissions).</summary>
    Unreadable,

    /// <summary>The database was written by a newer Slipway than this one.</summary>
    SchemaTooNew,

    /// <summary>The named app, deployment, release, generation or token does not exist.</summary>
    NotFound,

    /// <summary>The requested transition is not allowed from the current state.</summary>
    InvalidTransition,

    /// <summary>A constraint rejected the change (duplicate id, dangling reference).</summary>
    Conflict,

    /// <summary>The database could not be written right now (locked by another process past the busy timeout, disk full, I/O error).</summary>
    Unavailable,

    /// <summary>This instance does not hold the store's leader lease (another control plane writes); nothing was saved.</summary>
    NotLeader,
}
