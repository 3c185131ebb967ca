using System.Reflection;
using System.Security.Cryptography;

namespace Ferry.Server.Portal;

/// <summary>
/// The portal's files, embedded in this assembly under <c>portal/</c> and read once: the portal
/// works wherever the server runs, offline, with nothing beside the binary.
/// </summary>
internal sealed class PortalAssets
{
    private const string Prefix = "portal/";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
    };

    private readonly Dictionary<string, PortalAsset> assets;

    public PortalAssets()
    {
        var assembly = typeof(PortalAssets).Assembly;
        assets = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .ToDictionary(n => n[Prefix.Length..], n => Load(assembly, n), StringComparer.Ordinal);
    }

    /// <summary>Every file's path under <c>/ui/</c>.</summary>
    public IReadOnlyCollection<string> Paths => assets.Keys;

    public PortalAsset? Find(string path) => assets.GetValueOrDefault(path);

    private static PortalAsset Load(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var content = copy.ToArray();
        var type = ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream");
        return new PortalAsset(content, type, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");
    }
}
