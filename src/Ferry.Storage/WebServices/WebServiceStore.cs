using Ferry.Core.Execution;
using System.Data.Common;
using System.Text.Json;
using Dapper;
using Ferry.Core.WebServices;
using Ferry.Storage.Blobs;
using Ferry.Storage.Database;

namespace Ferry.Storage.WebServices;

/// <summary>Web service versions; parameter lists are JSON columns. Each write is one transaction.</summary>
internal sealed class WebServiceStore(FerryDatabase database, BlobStore blobs) : IWebServiceStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string Columns = """
        SELECT name AS Name, version AS Version, published_by AS PublishedBy, created_at AS CreatedAt, snapshot_id AS SnapshotId,
               runtime AS Runtime, init_code AS InitCode, code AS Code, description AS Description, operation_id AS OperationId,
               inputs AS Inputs, outputs AS Outputs, output_files AS OutputFiles, content_hash AS ContentHash,
               pool_initial AS PoolInitial, pool_max AS PoolMax, revision AS Revision,
               batch_max_size AS BatchMaxSize, batch_max_wait_ms AS BatchMaxWaitMs
        FROM web_services
        """;

    public async Task<WebService?> FindAsync(string name, string version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<WebServiceRow>(new CommandDefinition(
            Columns + " WHERE name = @name AND version = @version;", new { name, version }, cancellationToken: cancellationToken));
        return row?.ToWebService();
    }

    public async Task<IReadOnlyList<WebService>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<WebServiceRow>(new CommandDefinition(Columns + " ORDER BY seq;", cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToWebService())];
    }

    public async Task<bool> TryAddAsync(WebService service, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        if (service.ContentHash is not null)
        {
            await ReferenceAsync(connection, transaction, service, cancellationToken); // first: content_hash references the blob's row
        }

        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO web_services (name, version, published_by, created_at, snapshot_id, runtime, init_code, code, description, operation_id,
                                      inputs, outputs, output_files, content_hash, pool_initial, pool_max, revision, batch_max_size, batch_max_wait_ms)
            VALUES (@Name, @Version, @PublishedBy, @CreatedAt, @SnapshotId, @Runtime, @InitCode, @Code, @Description, @OperationId,
                    @Inputs, @Outputs, @OutputFiles, @ContentHash, @PoolInitial, @PoolMax, @Revision, @BatchMaxSize, @BatchMaxWaitMs)
            ON CONFLICT (name, version) DO NOTHING;
            """,
            Parameters(service),
            transaction,
            cancellationToken: cancellationToken));
        if (inserted == 0)
        {
            return false; // rolled back, the reference with it
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task UpdateAsync(WebService service, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var previous = await ContentOfAsync(connection, transaction, service.Name, service.Version, cancellationToken);
        if (previous != service.ContentHash && service.ContentHash is not null)
        {
            await ReferenceAsync(connection, transaction, service, cancellationToken); // first: content_hash references the blob's row
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE web_services SET snapshot_id = @SnapshotId, init_code = @InitCode, code = @Code, description = @Description,
                   operation_id = @OperationId, inputs = @Inputs, outputs = @Outputs, output_files = @OutputFiles,
                   content_hash = @ContentHash, pool_initial = @PoolInitial, pool_max = @PoolMax, revision = @Revision,
                   batch_max_size = @BatchMaxSize, batch_max_wait_ms = @BatchMaxWaitMs
            WHERE name = @Name AND version = @Version;
            """,
            Parameters(service),
            transaction,
            cancellationToken: cancellationToken));
        if (previous != service.ContentHash && previous is not null)
        {
            await blobs.ReleaseAsync(connection, transaction, previous, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(string name, string version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var hash = await ContentOfAsync(connection, transaction, name, version, cancellationToken);
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM web_services WHERE name = @name AND version = @version;", new { name, version }, transaction, cancellationToken: cancellationToken));
        if (hash is not null)
        {
            await blobs.ReleaseAsync(connection, transaction, hash, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return deleted == 1;
    }

    /// <summary>A snapshot's content is shared; a realtime model was staged just now and may be the first reference.</summary>
    private Task ReferenceAsync(DbConnection connection, DbTransaction transaction, WebService service, CancellationToken cancellationToken) =>
        service.IsRealtime
            ? blobs.AddReferenceAsync(connection, transaction, service.ContentHash!, new FileInfo(blobs.PathOf(service.ContentHash!)).Length, cancellationToken)
            : BlobStore.ShareAsync(connection, transaction, service.ContentHash!, cancellationToken);

    private static Task<string?> ContentOfAsync(DbConnection connection, DbTransaction transaction, string name, string version, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT content_hash FROM web_services WHERE name = @name AND version = @version;", new { name, version }, transaction, cancellationToken: cancellationToken));

    private static object Parameters(WebService s) => new
    {
        s.Name,
        s.Version,
        s.PublishedBy,
        CreatedAt = Timestamps.Format(s.CreationTime),
        s.SnapshotId,
        Runtime = s.Runtime.ToString(),
        s.InitCode,
        s.Code,
        s.Description,
        s.OperationId,
        Inputs = JsonSerializer.Serialize(s.Inputs, Json),
        Outputs = JsonSerializer.Serialize(s.Outputs, Json),
        OutputFiles = JsonSerializer.Serialize(s.OutputFileNames, Json),
        s.ContentHash,
        PoolInitial = s.Pool?.Initial,
        PoolMax = s.Pool?.Max,
        s.Revision,
        BatchMaxSize = s.Batching?.MaxBatchSize,
        BatchMaxWaitMs = s.Batching?.MaxWait.TotalMilliseconds,
    };

    private sealed class WebServiceRow
    {
        public string Name { get; init; } = "";

        public string Version { get; init; } = "";

        public string PublishedBy { get; init; } = "";

        public string CreatedAt { get; init; } = "";

        public string? SnapshotId { get; init; }

        public string Runtime { get; init; } = "";

        public string InitCode { get; init; } = "";

        public string Code { get; init; } = "";

        public string Description { get; init; } = "";

        public string? OperationId { get; init; }

        public string Inputs { get; init; } = "[]";

        public string Outputs { get; init; } = "[]";

        public string OutputFiles { get; init; } = "[]";

        public string? ContentHash { get; init; }

        public long? PoolInitial { get; init; }

        public long? PoolMax { get; init; }

        public long Revision { get; init; }

        public long? BatchMaxSize { get; init; }

        public double? BatchMaxWaitMs { get; init; }

        public WebService ToWebService() => new(
            Name,
            Version,
            PublishedBy,
            Timestamps.Parse(CreatedAt),
            SnapshotId,
            Enum.Parse<RuntimeType>(Runtime),
            InitCode,
            Code,
            Description,
            OperationId,
            JsonSerializer.Deserialize<List<ParameterDefinition>>(Inputs, Json) ?? [],
            JsonSerializer.Deserialize<List<ParameterDefinition>>(Outputs, Json) ?? [],
            JsonSerializer.Deserialize<List<string>>(OutputFiles, Json) ?? [],
            ContentHash,
            PoolInitial is { } initial && PoolMax is { } max ? new PoolSize((int)initial, (int)max) : null,
            Revision)
        {
            Batching = BatchMaxSize is { } size && BatchMaxWaitMs is { } wait ? new RealtimeBatching((int)size, TimeSpan.FromMilliseconds(wait)) : null,
        };
    }
}
