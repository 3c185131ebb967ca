using Ferry.Core.Users;

namespace Ferry.Core.Auth;

/// <summary>Whether a token's login is live, and its user's server role now (null for a service principal, which holds none).</summary>
public sealed record LoginState(bool Live, Role? Role)
{
    public static readonly LoginState Dead = new(false, null);
}
