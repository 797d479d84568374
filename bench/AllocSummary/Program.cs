using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// Usage: AllocSummary <trace.nettrace> <requests> [top]. Sums the runtime's AllocationTick samples (one per
// ~100 KB allocated, each naming the type that crossed the mark and the stack that allocated it) by type and by
// the innermost Slipway or YARP frame of the stack, scaled to bytes per request.
if (args.Length is not (2 or 3))
{
    Console.Error.WriteLine("usage: AllocSummary TRACE.nettrace REQUESTS [TOP]");
    return 2;
}

var requests = double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var top = args.Length == 3 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20;
var etlx = TraceLog.CreateFromEventPipeDataFile(args[0]);
using var log = new TraceLog(etlx);
var byType = new Dictionary<string, long>();
var byFrame = new Dictionary<string, long>();
long total = 0;
foreach (var e in log.Events)
{
    if (e is not GCAllocationTickTraceData tick)
    {
        continue;
    }

    var bytes = tick.AllocationAmount64;
    total += bytes;
    var type = tick.TypeName ?? "?";
    byType[type] = byType.GetValueOrDefault(type) + bytes;
    var frame = "(no Slipway/YARP frame)";
    for (var stack = tick.CallStack(); stack is not null; stack = stack.Caller)
    {
        var method = stack.CodeAddress.FullMethodName ?? "";
        if (method.StartsWith("Slipway", StringComparison.Ordinal) || method.StartsWith("Yarp", StringComparison.Ordinal))
        {
            frame = method.Length > 110 ? method[..110] : method;
            break;
        }
    }

    var key = $"{frame}  <- {type}";
    byFrame[key] = byFrame.GetValueOrDefault(key) + bytes;
}

Console.WriteLine($"sampled {total / requests:F0} bytes/request over {requests} requests");
Console.WriteLine("-- by type (bytes/request)");
foreach (var (name, bytes) in byType.OrderByDescending(p => p.Value).Take(top))
{
    Console.WriteLine($"{bytes / requests,8:F0}  {name}");
}

Console.WriteLine("-- by innermost Slipway/YARP frame and type (bytes/request)");
foreach (var (name, bytes) in byFrame.OrderByDescending(p => p.Value).Take(top))
{
    Console.WriteLine($"{bytes / requests,8:F0}  {name}");
}

return 0;
