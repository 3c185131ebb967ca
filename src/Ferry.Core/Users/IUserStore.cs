namespace Ferry.Core.Users;

/// <summary>Users as rows. Names are unique, compared case-insensitively.</summary>
public interface IUserStore
{
    Task<User?> FindByNameAsync(string name, CancellationToken cancellationToken);

    Task<User?> FindByIdAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<User>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Adds the user; false when the name is taken.</summary>
    Task<bool> TryAddAsync(User user, CancellationToken cancellationToken);

    /// <summary>Sets the hash and revokes the user's refresh tokens in one transaction.</summary>
    Task<bool> SetPasswordHashAsync(string name, string passwordHash, DateTimeOffset revokedAt, CancellationToken cancellationToken);

    Task<bool> SetRoleAsync(string name, Role role, CancellationToken cancellationToken);

    /// <summary>Removes the user and everything that authenticates as them.</summary>
    Task<bool> RemoveAsync(string name, CancellationToken cancellationToken);
}
