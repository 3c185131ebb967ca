using Dapper;
using Ferry.Core.Auth;
using Ferry.Storage.Database;

namespace Ferry.Storage.Auth;

internal sealed class LoginSessionStore(FerryDatabase database) : ILoginSessionStore
{
    private const string Columns =
        "id AS Id, user_id AS UserId, refresh_token_hash AS RefreshTokenHash, created_at AS CreatedAt, last_used_at AS LastUsedAt, revoked_at AS RevokedAt";

    public async Task AddAsync(LoginSession session, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO login_sessions (id, user_id, refresh_token_hash, created_at, last_used_at, revoked_at)
            VALUES (@Id, @UserId, @RefreshTokenHash, @CreatedAt, @LastUsedAt, @RevokedAt);
            """,
            new
            {
                session.Id,
                session.UserId,
                session.RefreshTokenHash,
                CreatedAt = Timestamps.Format(session.CreatedAt),
                LastUsedAt = Timestamps.Format(session.LastUsedAt),
                RevokedAt = session.RevokedAt is { } r ? Timestamps.Format(r) : null,
            },
            cancellationToken: cancellationToken));
    }

    public async Task<LoginSession?> FindByRefreshTokenHashAsync(string refreshTokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<LoginSessionRow>(new CommandDefinition(
            $"SELECT {Columns} FROM login_sessions WHERE refresh_token_hash = @refreshTokenHash;",
            new { refreshTokenHash },
            cancellationToken: cancellationToken));
        return row?.ToSession();
    }

    public async Task<LoginSession?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<LoginSessionRow>(new CommandDefinition(
            $"SELECT {Columns} FROM login_sessions WHERE id = @id;", new { id }, cancellationToken: cancellationToken));
        return row?.ToSession();
    }

    public async Task<bool> RotateAsync(string id, string expectedHash, string newHash, DateTimeOffset usedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var rows = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE login_sessions SET refresh_token_hash = @newHash, last_used_at = @usedAt
            WHERE id = @id AND refresh_token_hash = @expectedHash AND revoked_at IS NULL;
            """,
            new { id, expectedHash, newHash, usedAt = Timestamps.Format(usedAt) },
            transaction,
            cancellationToken: cancellationToken));
        if (rows == 1)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO retired_refresh_tokens (token_hash, login_session_id, retired_at) VALUES (@expectedHash, @id, @usedAt) ON CONFLICT DO NOTHING;",
                new { expectedHash, id, usedAt = Timestamps.Format(usedAt) },
                transaction,
                cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return rows == 1;
    }

    public async Task<string?> FindByRetiredRefreshTokenHashAsync(string refreshTokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT login_session_id FROM retired_refresh_tokens WHERE token_hash = @refreshTokenHash;",
            new { refreshTokenHash },
            cancellationToken: cancellationToken));
    }

    public async Task RevokeAsync(string id, DateTimeOffset revokedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE login_sessions SET revoked_at = @revokedAt WHERE id = @id AND revoked_at IS NULL;",
            new { id, revokedAt = Timestamps.Format(revokedAt) },
            cancellationToken: cancellationToken));
    }

    private sealed class LoginSessionRow
    {
        public string Id { get; set; } = "";

        public string UserId { get; set; } = "";

        public string RefreshTokenHash { get; set; } = "";

        public string CreatedAt { get; set; } = "";

        public string LastUsedAt { get; set; } = "";

        public string? RevokedAt { get; set; }

        public LoginSession ToSession() => new(
            Id, UserId, RefreshTokenHash, Timestamps.Parse(CreatedAt), Timestamps.Parse(LastUsedAt), RevokedAt is null ? null : Timestamps.Parse(RevokedAt));
    }
}
