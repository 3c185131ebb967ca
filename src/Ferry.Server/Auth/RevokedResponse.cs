namespace Ferry.Server.Auth;

/// <summary>The body of a successful revocation: clients call <c>.json()</c> on every response.</summary>
public sealed record RevokedResponse(string Message)
{
    public static readonly RevokedResponse Instance = new("The refresh token and the access tokens issued with it are revoked.");
}
