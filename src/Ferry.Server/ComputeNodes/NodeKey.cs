using System.Security.Cryptography;
using System.Text;
using Ferry.Server.Auth;
using Ferry.Storage;

namespace Ferry.Server.ComputeNodes;

/// <summary>
/// What web nodes show compute nodes: a value derived from a key of its own in the shared data
/// directory (never the token-signing key), sent in <see cref="Header"/> on every internal call. A
/// compute node answers nobody without it, so its port is no way around the API's authorization.
/// </summary>
internal sealed class NodeKey(DataDirectory dataDirectory)
{
    public const string Header = "Ferry-Node-Key";

    public const string KeyFile = "node-key";

    public string Value { get; } = Convert.ToHexStringLower(HMACSHA256.HashData(AccessTokens.LoadOrCreateKey(dataDirectory, KeyFile), "ferry compute node v1"u8));

    /// <summary>Whether the request carries the key (constant time).</summary>
    public bool Admits(HttpRequest request) =>
        request.Headers[Header] is [{ } presented]
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(Value));
}
