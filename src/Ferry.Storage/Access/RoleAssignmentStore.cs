using Dapper;
using Ferry.Core.Access;
using Ferry.Core.Users;
using Ferry.Storage.Database;

namespace Ferry.Storage.Access;

internal sealed class RoleAssignmentStore(FerryDatabase database) : IRoleAssignmentStore
{
    private const string Select =
        "SELECT principal_kind AS PrincipalKind, principal_id AS PrincipalId, principal_name AS PrincipalName, subscription_id AS SubscriptionId, " +
        "role AS Role, created_at AS CreatedAt FROM role_assignments";

    public async Task UpsertAsync(RoleAssignment assignment, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO role_assignments (principal_kind, principal_id, principal_name, subscription_id, role, created_at)
            VALUES (@Kind, @PrincipalId, @PrincipalName, @SubscriptionId, @Role, @CreatedAt)
            ON CONFLICT (principal_kind, principal_id, subscription_id) DO UPDATE SET role = excluded.role, principal_name = excluded.principal_name;
            """,
            new
            {
                Kind = assignment.PrincipalKind.ToString(), assignment.PrincipalId, assignment.PrincipalName, assignment.SubscriptionId,
                Role = assignment.Role.ToString(), CreatedAt = Timestamps.Format(assignment.CreatedAt),
            },
            cancellationToken: cancellationToken));
    }

    public async Task<RoleAssignment?> FindAsync(PrincipalKind kind, string principalId, string subscriptionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"{Select} WHERE principal_kind = @kind AND principal_id = @principalId AND subscription_id = @subscriptionId;",
            new { kind = kind.ToString(), principalId, subscriptionId },
            cancellationToken: cancellationToken));
        return row?.ToAssignment();
    }

    public async Task<IReadOnlyList<RoleAssignment>> ListAsync(PrincipalKind? kind, string? principalId, string? subscriptionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"""
            {Select}
            WHERE (@kind IS NULL OR (principal_kind = @kind AND principal_id = @principalId))
              AND (@subscriptionId IS NULL OR subscription_id = @subscriptionId)
            ORDER BY subscription_id, principal_kind, principal_name;
            """,
            new { kind = kind?.ToString(), principalId, subscriptionId },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToAssignment())];
    }

    public async Task<bool> RemoveAsync(PrincipalKind kind, string principalId, string subscriptionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM role_assignments WHERE principal_kind = @kind AND principal_id = @principalId AND subscription_id = @subscriptionId;",
            new { kind = kind.ToString(), principalId, subscriptionId },
            cancellationToken: cancellationToken)) > 0;
    }

    private sealed record Row(string PrincipalKind, string PrincipalId, string PrincipalName, string SubscriptionId, string Role, string CreatedAt)
    {
        public RoleAssignment ToAssignment() => new(
            Enum.Parse<PrincipalKind>(PrincipalKind), PrincipalId, PrincipalName, SubscriptionId, Enum.Parse<Role>(Role), Timestamps.Parse(CreatedAt));
    }
}
