// The sample app the functional tests deploy. It honours the probe contract and has knobs, read from
// the environment and from files in its release tree, that let a test make it misbehave on purpose.
//   TESTAPP_FAIL_HEALTH=1     /healthz answers 500
//   TESTAPP_EXIT_AT_START=N   exits with code N before listening
//   TESTAPP_WRONG_DIGEST=1    /version reports another digest
//   TESTAPP_FAIL_HEALTH_FILE=PATH  /healthz answers 500 while PATH exists
//   TESTAPP_PRINT_ENV=NAME    prints NAME's value at start-up; /env/NAME/sha256 answers its SHA-256 (hex)
//   TESTAPP_ERROR_PERCENT=N   N of every 100 requests to / answer 500 (spread evenly, so any 100 in a row hold N)
//   TESTAPP_DELAY_MS=N        each request to / waits N ms before answering
//   content.txt               served at / (a changed file makes a new release)
using System.Security.Cryptography;
using System.Text;

var printEnv = Environment.GetEnvironmentVariable("TESTAPP_PRINT_ENV");
if (!string.IsNullOrEmpty(printEnv))
{
    Console.WriteLine($"testapp: {printEnv}={Environment.GetEnvironmentVariable(printEnv)}");
}

var exitAtStart = Environment.GetEnvironmentVariable("TESTAPP_EXIT_AT_START");
if (int.TryParse(exitAtStart, out var code))
{
    Console.Error.WriteLine($"testapp: exiting at start with code {code} as asked");
    return code;
}

var builder = WebApplication.CreateSlimBuilder(args);
var port = Environment.GetEnvironmentVariable("PORT") ?? "5000";
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.Logging.ClearProviders();
var app = builder.Build();
// Any path with an "/echo" segment answers what the app received: the request target's bytes as they arrived and the
// forwarding headers, so a test through the edge sees what a backend behind it sees.
app.Use(async (context, next) =>
{
    if (!context.Request.Path.Value!.Contains("/echo", StringComparison.OrdinalIgnoreCase))
    {
        await next(context);
        return;
    }

    var raw = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget;
    string Header(string name) => string.Join(" | ", context.Request.Headers[name].ToArray());
    await context.Response.WriteAsync(
        $"target={raw}\nx-forwarded-for={Header("X-Forwarded-For")}\nx-real-ip={Header("X-Real-IP")}\nforwarded={Header("Forwarded")}\n");
});

var failHealth = Environment.GetEnvironmentVariable("TESTAPP_FAIL_HEALTH") == "1";
var wrongDigest = Environment.GetEnvironmentVariable("TESTAPP_WRONG_DIGEST") == "1";
var manifestPath = Environment.GetEnvironmentVariable("SLIPWAY_RELEASE_MANIFEST");
var generation = Environment.GetEnvironmentVariable("SLIPWAY_GENERATION") ?? "0";
var content = File.Exists("content.txt") ? File.ReadAllText("content.txt").Trim() : "no content";

var errorPercent = int.TryParse(Environment.GetEnvironmentVariable("TESTAPP_ERROR_PERCENT"), out var percent) ? percent : 0;
var delayMs = int.TryParse(Environment.GetEnvironmentVariable("TESTAPP_DELAY_MS"), out var delay) ? delay : 0;
var served = 0L;
app.MapGet("/", async (CancellationToken ct) =>
{
    if (delayMs > 0)
    {
        await Task.Delay(delayMs, ct);
    }

    // Request n fails when the running count of failures due by n grows: exactly N per 100, evenly spaced.
    var n = Interlocked.Increment(ref served);
    return n * errorPercent / 100 > (n - 1) * errorPercent / 100
        ? Results.Text($"injected failure gen={generation}\n", statusCode: 500)
        : Results.Text($"{content} gen={generation}\n");
});
// TESTAPP_FAIL_HEALTH_FILE=PATH: /healthz answers 500 while PATH exists (relative to the working directory),
// so a test can make a running generation fall ill, and stay ill across restarts.
var failHealthFile = Environment.GetEnvironmentVariable("TESTAPP_FAIL_HEALTH_FILE");
app.MapGet("/healthz", () => failHealth || (failHealthFile is not null && File.Exists(failHealthFile)) ? Results.StatusCode(500) : Results.Text("ok"));
app.MapGet("/ready", () => Results.Text("ready"));
// Proves a variable arrived without ever showing it.
app.MapGet("/env/{name}/sha256", (string name) => Environment.GetEnvironmentVariable(name) is { } value
    ? Results.Text(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value))))
    : Results.NotFound());
app.MapGet("/version", () =>
{
    var json = manifestPath is not null && File.Exists(manifestPath) ? File.ReadAllText(manifestPath) : "{}";
    if (wrongDigest)
    {
        json = System.Text.RegularExpressions.Regex.Replace(json, "\"digest\"\\s*:\\s*\"[^\"]*\"", "\"digest\":\"sha256:0000\"");
    }
    return Results.Text(json, "application/json");
});
app.MapGet("/slow", async (int? ms, CancellationToken ct) =>
{
    await Task.Delay(ms ?? 500, ct);
    return Results.Text($"slow gen={generation}\n");
});
app.MapGet("/sse", async (HttpContext ctx, CancellationToken ct) =>
{
    ctx.Response.ContentType = "text/event-stream";
    for (var i = 0; !ct.IsCancellationRequested; i++)
    {
        await ctx.Response.WriteAsync($"data: gen={generation} n={i}\n\n", Encoding.UTF8, ct);
        await ctx.Response.Body.FlushAsync(ct);
        await Task.Delay(100, ct);
    }
});

app.Run();
return 0;
