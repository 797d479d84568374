using System.Runtime.InteropServices;

namespace Slipway.Bench;

/// <summary>
/// For bench/edge-profile.sh: on SIGUSR1 the bench host writes one line to stderr with the bytes it has
/// allocated so far (all threads, exact) and its GC counts, so the script can divide the difference over a
/// run by the requests wrk counted.
/// </summary>
internal static class AllocationProbe
{
    private const int SigUsr1 = 10;

    public static PosixSignalRegistration Register() =>
        PosixSignalRegistration.Create((PosixSignal)SigUsr1, context =>
        {
            context.Cancel = true;
            Console.Error.WriteLine(
                $"alloc {GC.GetTotalAllocatedBytes(precise: true)} gen0 {GC.CollectionCount(0)} gen1 {GC.CollectionCount(1)} gen2 {GC.CollectionCount(2)} rss {Environment.WorkingSet}");
        });
}
