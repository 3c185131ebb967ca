namespace Ferry.Server.Auth;

/// <summary>The contract's <c>LoginRequest</c>.</summary>
public sealed record LoginRequest(string? Username, string? Password);
