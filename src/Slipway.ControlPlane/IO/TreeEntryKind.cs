namespace Slipway.ControlPlane.IO;

internal enum TreeEntryKind
{
    File,
    Directory,
    Symlink,

    /// <summary>FIFOs, sockets and devices: never part of a release.</summary>
    Other,
}
