// A tiny web app that honours Slipway's probe contract:
//   /healthz  200 while the process is alive
//   /ready    200 once the app can serve (here: at once)
//   /version  the release manifest Slipway gave it (SLIPWAY_RELEASE_MANIFEST), so a deploy can prove
//             that the process answering is the exact release it built.
var builder = WebApplication.CreateSlimBuilder(args);
var port = Environment.GetEnvironmentVariable("PORT") ?? "5000";
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
var app = builder.Build();

var greeting = Environment.GetEnvironmentVariable("GREETING") ?? "Hello from Slipway";
var manifestPath = Environment.GetEnvironmentVariable("SLIPWAY_RELEASE_MANIFEST");
var generation = Environment.GetEnvironmentVariable("SLIPWAY_GENERATION") ?? "?";

app.MapGet("/", () => Results.Text($"{greeting} (generation {generation})\n"));
app.MapGet("/healthz", () => Results.Text("ok\n"));
app.MapGet("/ready", () => Results.Text("ready\n"));
app.MapGet("/version", () => manifestPath is not null && File.Exists(manifestPath)
    ? Results.Text(File.ReadAllText(manifestPath), "application/json")
    : Results.Json(new { revision = "unknown", digest = "unknown" }));

app.Run();
