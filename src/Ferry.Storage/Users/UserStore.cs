using Dapper;
using Ferry.Core.Users;
using Ferry.Storage.Database;

namespace Ferry.Storage.Users;

internal sealed class UserStore(FerryDatabase database) : IUserStore
{
    private const string Columns = "id AS Id, name AS Name, password_hash AS PasswordHash, role AS Role, created_at AS CreatedAt";

    public async Task<User?> FindByNameAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE name = @name;", new { name }, cancellationToken: cancellationToken));
        return row?.ToUser();
    }

    public async Task<User?> FindByIdAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE id = @id;", new { id }, cancellationToken: cancellationToken));
        return row?.ToUser();
    }

    public async Task<IReadOnlyList<User>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var users = await connection.QueryAsync<UserRow>(new CommandDefinition(
            $"SELECT {Columns} FROM users ORDER BY name;", cancellationToken: cancellationToken));
        return [.. users.Select(u => u.ToUser())];
    }

    public async Task<bool> TryAddAsync(User user, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO users (id, name, password_hash, role, created_at)
            VALUES (@Id, @Name, @PasswordHash, @Role, @CreatedAt)
            ON CONFLICT (name) DO NOTHING;
            """,
            new { user.Id, user.Name, user.PasswordHash, Role = user.Role.ToString(), CreatedAt = Timestamps.Format(user.CreatedAt) },
            cancellationToken: cancellationToken));
        return rows == 1;
    }

    public async Task<bool> SetPasswordHashAsync(string name, string passwordHash, DateTimeOffset revokedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var rows = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET password_hash = @passwordHash WHERE name = @name;",
            new { name, passwordHash }, transaction, cancellationToken: cancellationToken));

        // A new password ends every login made with the old one.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE login_sessions SET revoked_at = @revokedAt
            WHERE revoked_at IS NULL AND user_id = (SELECT id FROM users WHERE name = @name);
            """,
            new { name, revokedAt = Timestamps.Format(revokedAt) }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return rows == 1;
    }

    public async Task<bool> SetRoleAsync(string name, Role role, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET role = @role WHERE name = @name;", new { name, role = role.ToString() }, cancellationToken: cancellationToken));
        return rows == 1;
    }

    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);

        // Logins go with the user through ON DELETE CASCADE.
        var rows = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM users WHERE name = @name;", new { name }, cancellationToken: cancellationToken));
        return rows == 1;
    }

    private sealed class UserRow
    {
        public string Id { get; set; } = "";

        public string Name { get; set; } = "";

        public string PasswordHash { get; set; } = "";

        public string Role { get; set; } = "";

        public string CreatedAt { get; set; } = "";

        public User ToUser() => new(Id, Name, PasswordHash, Enum.Parse<Role>(Role), Timestamps.Parse(CreatedAt));
    }
}
