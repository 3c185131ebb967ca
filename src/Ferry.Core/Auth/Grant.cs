using Ferry.Core.Users;

namespace Ferry.Core.Auth;

/// <summary>What a successful login or renewal hands the HTTP layer to mint tokens from.</summary>
public sealed record Grant(string UserName, Role Role, string LoginSessionId, string RefreshToken);
