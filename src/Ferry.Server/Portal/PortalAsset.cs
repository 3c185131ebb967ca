namespace Ferry.Server.Portal;

/// <summary>One file of the portal, held in memory with the validator browsers revalidate it by.</summary>
internal sealed record PortalAsset(byte[] Content, string ContentType, string ETag);
