using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Slipway.ControlPlane.Dashboard;

/// <summary>
/// The dashboard's CSS, script and icon, embedded in the assembly (no CDN, no build step). URLs carry a
/// content hash, so a browser may cache them for good and still picks up a new release at once.
/// </summary>
internal static class DashboardAssets
{
    private static readonly FrozenDictionary<string, Asset> All = Load();

    /// <summary>The versioned URL of an asset, e.g. <c>/assets/dashboard.css?v=1a2b3c4d</c>.</summary>
    public static string Path(string name) => $"/assets/{name}?v={All[name].Version}";

    public static IResult Serve(string name, HttpContext context)
    {
        if (!All.TryGetValue(name, out var asset))
        {
            return Results.NotFound();
        }

        context.Response.Headers.CacheControl = context.Request.Query["v"] == asset.Version ? "public, max-age=31536000, immutable" : "no-cache";
        context.Response.Headers.ETag = $"\"{asset.Version}\"";
        return Results.Bytes(asset.Bytes, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("dashboard/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var name = resource["dashboard/".Length..];
            var type = System.IO.Path.GetExtension(name) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            assets[name] = new Asset(bytes, type, Convert.ToHexStringLower(SHA256.HashData(bytes))[..12]);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string Version);
}
