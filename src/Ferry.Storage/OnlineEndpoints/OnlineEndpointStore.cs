using System.Text.Json;
using Dapper;
using Ferry.Core.OnlineEndpoints;
using Ferry.Storage.Blobs;
using Ferry.Storage.Database;
using Ferry.Storage.Secrets;

namespace Ferry.Storage.OnlineEndpoints;

internal sealed class OnlineEndpointStore(FerryDatabase database, BlobStore blobs, EndpointKeyProtector keys) : IOnlineEndpointStore
{
    private const string SelectEndpoint =
        "SELECT resource_group AS ResourceGroup, workspace AS Workspace, name AS Name, location AS Location, description AS Description, auth_mode AS AuthMode, " +
        "primary_key AS PrimaryKey, secondary_key AS SecondaryKey, traffic AS Traffic, provisioning_state AS ProvisioningState, created_at AS CreatedAt FROM online_endpoints";

    private const string SelectDeployment =
        "SELECT resource_group AS ResourceGroup, workspace AS Workspace, endpoint AS Endpoint, name AS Name, model_id AS ModelId, code_id AS CodeId, " +
        "scoring_script AS ScoringScript, instance_count AS InstanceCount, content_hash AS ContentHash, provisioning_state AS ProvisioningState, created_at AS CreatedAt FROM online_deployments";

    public async Task<OnlineEndpoint?> FindAsync(string resourceGroup, string workspace, string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<EndpointRow>(new CommandDefinition(
            $"{SelectEndpoint} WHERE resource_group = @resourceGroup AND workspace = @workspace AND name = @name;", new { resourceGroup, workspace, name }, cancellationToken: cancellationToken));
        return row?.ToEndpoint(keys);
    }

    public async Task<IReadOnlyList<OnlineEndpoint>> ListAsync(string resourceGroup, string workspace, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<EndpointRow>(new CommandDefinition(
            $"{SelectEndpoint} WHERE resource_group = @resourceGroup AND workspace = @workspace ORDER BY name;", new { resourceGroup, workspace }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToEndpoint(keys))];
    }

    public async Task UpsertAsync(OnlineEndpoint e, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO online_endpoints (resource_group, workspace, name, location, description, auth_mode, primary_key, secondary_key, traffic, provisioning_state, created_at)
            VALUES (@ResourceGroup, @Workspace, @Name, @Location, @Description, @AuthMode, @PrimaryKey, @SecondaryKey, @Traffic, @ProvisioningState, @CreatedAt)
            ON CONFLICT (resource_group, workspace, name) DO UPDATE SET description = excluded.description, primary_key = excluded.primary_key,
                secondary_key = excluded.secondary_key, traffic = excluded.traffic, provisioning_state = excluded.provisioning_state;
            """,
            new
            {
                e.ResourceGroup, e.Workspace, e.Name, e.Location, e.Description, e.AuthMode, PrimaryKey = keys.Protect(e.PrimaryKey), SecondaryKey = keys.Protect(e.SecondaryKey),
                Traffic = JsonSerializer.Serialize(e.Traffic), e.ProvisioningState, CreatedAt = Timestamps.Format(e.CreatedAt),
            },
            cancellationToken: cancellationToken));
    }

    public async Task<bool> DeleteAsync(string resourceGroup, string workspace, string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var hashes = await connection.QueryAsync<string?>(new CommandDefinition(
            "DELETE FROM online_deployments WHERE resource_group = @resourceGroup AND workspace = @workspace AND endpoint = @name RETURNING content_hash;",
            new { resourceGroup, workspace, name }, transaction, cancellationToken: cancellationToken));
        foreach (var hash in hashes.OfType<string>().ToList())
        {
            await blobs.ReleaseAsync(connection, transaction, hash, cancellationToken);
        }

        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM online_endpoints WHERE resource_group = @resourceGroup AND workspace = @workspace AND name = @name;",
            new { resourceGroup, workspace, name }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    public async Task<OnlineDeployment?> FindDeploymentAsync(string resourceGroup, string workspace, string endpoint, string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<DeploymentRow>(new CommandDefinition(
            $"{SelectDeployment} WHERE resource_group = @resourceGroup AND workspace = @workspace AND endpoint = @endpoint AND name = @name;",
            new { resourceGroup, workspace, endpoint, name }, cancellationToken: cancellationToken));
        return row?.ToDeployment();
    }

    public async Task<IReadOnlyList<OnlineDeployment>> ListDeploymentsAsync(string resourceGroup, string workspace, string endpoint, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<DeploymentRow>(new CommandDefinition(
            $"{SelectDeployment} WHERE resource_group = @resourceGroup AND workspace = @workspace AND endpoint = @endpoint ORDER BY name;",
            new { resourceGroup, workspace, endpoint }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToDeployment())];
    }

    public async Task UpsertDeploymentAsync(OnlineDeployment d, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var previous = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT content_hash FROM online_deployments WHERE resource_group = @ResourceGroup AND workspace = @Workspace AND endpoint = @Endpoint AND name = @Name;",
            new { d.ResourceGroup, d.Workspace, d.Endpoint, d.Name }, transaction, cancellationToken: cancellationToken));
        if (d.ContentHash is not null && d.ContentHash != previous)
        {
            await blobs.AddReferenceAsync(connection, transaction, d.ContentHash, new FileInfo(blobs.PathOf(d.ContentHash)).Length, cancellationToken);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO online_deployments (resource_group, workspace, endpoint, name, model_id, code_id, scoring_script, instance_count, content_hash, provisioning_state, created_at)
            VALUES (@ResourceGroup, @Workspace, @Endpoint, @Name, @ModelId, @CodeId, @ScoringScript, @InstanceCount, @ContentHash, @ProvisioningState, @CreatedAt)
            ON CONFLICT (resource_group, workspace, endpoint, name) DO UPDATE SET model_id = excluded.model_id, code_id = excluded.code_id,
                scoring_script = excluded.scoring_script, instance_count = excluded.instance_count, content_hash = excluded.content_hash,
                provisioning_state = excluded.provisioning_state;
            """,
            new { d.ResourceGroup, d.Workspace, d.Endpoint, d.Name, d.ModelId, d.CodeId, d.ScoringScript, d.InstanceCount, d.ContentHash, d.ProvisioningState, CreatedAt = Timestamps.Format(d.CreatedAt) },
            transaction,
            cancellationToken: cancellationToken));
        if (previous is not null && previous != d.ContentHash)
        {
            await blobs.ReleaseAsync(connection, transaction, previous, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> SetStateAsync(string resourceGroup, string workspace, string name, string state, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE online_endpoints SET provisioning_state = @state WHERE resource_group = @resourceGroup AND workspace = @workspace AND name = @name;",
            new { resourceGroup, workspace, name, state }, cancellationToken: cancellationToken)) > 0;
    }

    public async Task<bool> SetDeploymentStateAsync(string resourceGroup, string workspace, string endpoint, string name, string state, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE online_deployments SET provisioning_state = @state WHERE resource_group = @resourceGroup AND workspace = @workspace AND endpoint = @endpoint AND name = @name;",
            new { resourceGroup, workspace, endpoint, name, state }, cancellationToken: cancellationToken)) > 0;
    }

    public async Task<bool> DeleteDeploymentAsync(string resourceGroup, string workspace, string endpoint, string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var hashes = (await connection.QueryAsync<string?>(new CommandDefinition(
            "DELETE FROM online_deployments WHERE resource_group = @resourceGroup AND workspace = @workspace AND endpoint = @endpoint AND name = @name RETURNING content_hash;",
            new { resourceGroup, workspace, endpoint, name }, transaction, cancellationToken: cancellationToken))).ToList();
        foreach (var hash in hashes.OfType<string>())
        {
            await blobs.ReleaseAsync(connection, transaction, hash, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return hashes.Count > 0;
    }

    private sealed record EndpointRow(
        string ResourceGroup, string Workspace, string Name, string Location, string? Description, string AuthMode, string PrimaryKey, string SecondaryKey, string Traffic, string ProvisioningState, string CreatedAt)
    {
        public OnlineEndpoint ToEndpoint(EndpointKeyProtector keys) => new(
            ResourceGroup, Workspace, Name, Location, Description, AuthMode, keys.Unprotect(PrimaryKey), keys.Unprotect(SecondaryKey),
            JsonSerializer.Deserialize<Dictionary<string, int>>(Traffic) ?? [], ProvisioningState, Timestamps.Parse(CreatedAt));
    }

    private sealed class DeploymentRow
    {
        public string ResourceGroup { get; init; } = "";

        public string Workspace { get; init; } = "";

        public string Endpoint { get; init; } = "";

        public string Name { get; init; } = "";

        public string ModelId { get; init; } = "";

        public string CodeId { get; init; } = "";

        public string ScoringScript { get; init; } = "";

        public long InstanceCount { get; init; }

        public string? ContentHash { get; init; }

        public string ProvisioningState { get; init; } = "";

        public string CreatedAt { get; init; } = "";

        public OnlineDeployment ToDeployment() =>
            new(ResourceGroup, Workspace, Endpoint, Name, ModelId, CodeId, ScoringScript, (int)InstanceCount, ContentHash, ProvisioningState, Timestamps.Parse(CreatedAt));
    }
}
