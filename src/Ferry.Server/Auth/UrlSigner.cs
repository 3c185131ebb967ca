using System.Security.Cryptography;
using System.Text;
using Ferry.Storage;

namespace Ferry.Server.Auth;

/// <summary>
/// Signs expiring URLs that need no token (a run's log, like a SAS). Its key is not the access
/// tokens' key: a signature leaked with a URL, or a URL key exposed, can never mint a token.
/// </summary>
internal sealed class UrlSigner(DataDirectory dataDirectory)
{
    public const string KeyFile = "url-signing-key";

    private readonly byte[] key = AccessTokens.LoadOrCreateKey(dataDirectory, KeyFile);

    /// <summary>An HMAC-SHA256 of <paramref name="data"/>, lower-case hex.</summary>
    public string Sign(string data) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data)));

    /// <summary>Whether <paramref name="signature"/> is this key's signature of <paramref name="data"/> (constant time).</summary>
    public bool Verify(string data, string signature) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(Sign(data)), Encoding.UTF8.GetBytes(signature));
}
