using System.Text.Json.Nodes;
using Dapper;
using Ferry.Core.Arm;
using Ferry.Storage.Database;

namespace Ferry.Storage.Arm;

internal sealed class ComputeStore(FerryDatabase database) : IComputeStore
{
    private const string Select =
        "SELECT resource_group AS ResourceGroup, workspace AS Workspace, name AS Name, location AS Location, compute_type AS ComputeType, description AS Description, " +
        "properties AS Properties, provisioning_state AS ProvisioningState, created_at AS CreatedAt, modified_at AS ModifiedAt FROM computes";

    public async Task<Compute?> FindAsync(string resourceGroup, string workspace, string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"{Select} WHERE resource_group = @resourceGroup AND workspace = @workspace AND name = @name;", new { resourceGroup, workspace, name }, cancellationToken: cancellationToken));
        return row?.ToCompute();
    }

    public async Task<IReadOnlyList<Compute>> ListAsync(string resourceGroup, string workspace, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"{Select} WHERE resource_group = @resourceGroup AND workspace = @workspace ORDER BY name;", new { resourceGroup, workspace }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToCompute())];
    }

    public async Task UpsertAsync(Compute compute, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO computes (resource_group, workspace, name, location, compute_type, description, properties, provisioning_state, created_at, modified_at)
            VALUES (@ResourceGroup, @Workspace, @Name, @Location, @ComputeType, @Description, @Properties, @ProvisioningState, @CreatedAt, @ModifiedAt)
            ON CONFLICT (resource_group, workspace, name) DO UPDATE SET description = excluded.description, properties = excluded.properties,
                provisioning_state = excluded.provisioning_state, modified_at = excluded.modified_at;
            """,
            new
            {
                compute.ResourceGroup, compute.Workspace, compute.Name, compute.Location, compute.ComputeType, compute.Description,
                Properties = compute.Properties.ToJsonString(), compute.ProvisioningState,
                CreatedAt = Timestamps.Format(compute.CreatedAt), ModifiedAt = Timestamps.Format(compute.ModifiedAt),
            },
            cancellationToken: cancellationToken));
    }

    public async Task<bool> DeleteAsync(string resourceGroup, string workspace, string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM computes WHERE resource_group = @resourceGroup AND workspace = @workspace AND name = @name;", new { resourceGroup, workspace, name }, cancellationToken: cancellationToken)) > 0;
    }

    private sealed record Row(
        string ResourceGroup, string Workspace, string Name, string Location, string ComputeType, string Description, string Properties, string ProvisioningState, string CreatedAt, string ModifiedAt)
    {
        public Compute ToCompute() => new(
            ResourceGroup, Workspace, Name, Location, ComputeType, Description, JsonNode.Parse(Properties) as JsonObject ?? [], ProvisioningState,
            Timestamps.Parse(CreatedAt), Timestamps.Parse(ModifiedAt));
    }
}
