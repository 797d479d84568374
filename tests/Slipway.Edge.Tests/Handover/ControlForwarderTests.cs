using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Slipway.Edge.Handover;

namespace Slipway.Edge.Tests.Handover;

public sealed class ControlForwarderTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("slipway-forward-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task ForwardAsync_ChangeHeldAtOldEdge_NewEdgeAnswersIt()
    {
        var socket = Path.Combine(_home, "edge.sock");
        await using var next = await StartAsync(kestrel => kestrel.ListenUnixSocket(socket), async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Response.StatusCode = StatusCodes.Status201Created;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($"{{\"seen\":\"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} {body}\"}}");
        });
        await using var old = await StartAsync(kestrel => kestrel.Listen(IPAddress.Loopback, 0),
            context => ControlForwarder.ForwardAsync(context, socket, context.RequestAborted));
        using var client = new HttpClient { BaseAddress = new Uri(old.Urls.First()) };

        using var response = await client.PostAsync("/services/web/targets?x=1", new StringContent("{\"targets\":[]}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"seen\":\"POST /services/web/targets?x=1 {\"targets\":[]}\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ForwardAsync_TooManyHops_Answers503WithRetryAfter()
    {
        await using var old = await StartAsync(kestrel => kestrel.Listen(IPAddress.Loopback, 0),
            context => ControlForwarder.ForwardAsync(context, Path.Combine(_home, "nobody.sock"), context.RequestAborted));
        using var client = new HttpClient { BaseAddress = new Uri(old.Urls.First()) };
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/processes/web");
        request.Headers.Add(ControlForwarder.HopHeader, ControlForwarder.MaximumHops.ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("send it again", await response.Content.ReadAsStringAsync());
    }

    private static async Task<WebApplication> StartAsync(Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions> listen, RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(listen);
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        return app;
    }
}
