namespace Slipway.ControlPlane.Store;

/// <summary>A store operation failed; the message says what happened and what to do. No partial change was committed.</summary>
internal sealed class StoreException : Exception
{
    public StoreException(StoreErrorCode code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
    }

    public StoreErrorCode Code { get; }
}
