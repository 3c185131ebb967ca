namespace Ferry.Server.Auth;

/// <summary>The contract's <c>RenewTokenRequest</c>.</summary>
public sealed record RenewTokenRequest(string? RefreshToken);
