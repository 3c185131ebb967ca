namespace Ferry.Core.Users;

/// <summary>ML Server's roles, weakest first so that a comparison reads as "at least".</summary>
public enum Role
{
    Reader = 0,
    Contributor = 1,
    Owner = 2,
}
