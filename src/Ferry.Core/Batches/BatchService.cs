using System.Text;
using System.Text.Json.Nodes;
using Ferry.Core.Changes;
using Ferry.Core.Errors;
using Ferry.Core.Users;
using Ferry.Core.WebServices;
using Microsoft.Extensions.Options;

namespace Ferry.Core.Batches;

/// <summary>
/// The six batch operations of a service version. Every record is checked as a consume call's body
/// would be before anything is stored (a 400 names the record and the input); the batch is stored
/// with its records in one transaction and the <see cref="BatchRunner"/> takes it from there.
/// Batches belong to whoever started them: others get 404, Owners see all.
/// </summary>
public sealed class BatchService(IBatchStore store, WebServiceCatalog catalog, BatchRunner runner, IChangeNotices notices, IOptions<BatchOptions> options, TimeProvider time)
{
    public async Task<BatchExecution> StartAsync(Caller caller, string name, string version, JsonNode? body, int? parallelCount, CancellationToken cancellationToken)
    {
        var service = catalog.Get(name, version);
        var limits = options.Value;
        var parallel = parallelCount ?? limits.DefaultParallelCount;
        if (parallel < 1)
        {
            throw FerryException.BadRequest($"'parallelCount' must be at least 1; got {parallel}.");
        }

        parallel = Math.Min(parallel, limits.MaxParallelCount); // as ML Server caps it at MaxNumberOfThreadsPerBatchExecution

        if (body is not JsonArray records)
        {
            throw FerryException.BadRequest("The body must be a JSON array of input records, each an object of the service's inputs.");
        }

        if (records.Count == 0)
        {
            throw FerryException.BadRequest("The batch has no records: send at least one input record.");
        }

        if (records.Count > limits.MaxRecords)
        {
            throw new FerryException(FerryErrorKind.PayloadTooLarge, $"A batch holds at most {limits.MaxRecords} records (Ferry:Batch:MaxRecords); this one has {records.Count}.");
        }

        var texts = new string[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            _ = WebServiceConsumer.CallFor(service, records[i], $"Record {i}: ");
            texts[i] = records[i]!.ToJsonString();
        }

        var batch = new BatchExecution(Guid.NewGuid().ToString("D"), name, version, caller.Name, parallel, records.Count, 0, BatchState.Pending, time.GetUtcNow(), null);
        await store.AddAsync(batch, texts, cancellationToken);
        runner.Enqueue(batch.Id);
        return batch;
    }

    /// <summary>The ids of the version's batches the caller may see, oldest first.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(Caller caller, string name, string version, CancellationToken cancellationToken)
    {
        catalog.Get(name, version);
        return [.. (await store.ListAsync(name, version, cancellationToken)).Where(b => Visible(b, caller)).Select(b => b.Id)];
    }

    /// <summary>
    /// The batch and its results in input order: all of them once it is complete, and while it runs
    /// only with <paramref name="partial"/> (records without a result yet are null, so that index i is record i).
    /// </summary>
    public async Task<(BatchExecution Batch, IReadOnlyList<JsonNode?> Results)> StatusAsync(
        Caller caller, string name, string version, string id, bool partial, CancellationToken cancellationToken)
    {
        var batch = await VisibleAsync(caller, name, version, id, cancellationToken);
        if (batch.State != BatchState.Complete && !partial)
        {
            return (batch, []);
        }

        var results = new JsonNode?[batch.TotalItemCount];
        foreach (var result in await store.ResultsAsync(id, cancellationToken))
        {
            results[result.Index] = JsonNode.Parse(result.Result);
        }

        // Counted from what was read, so that the count and the list agree.
        return (batch with { CompletedItemCount = results.Count(r => r is not null) }, results);
    }

    /// <summary>Stops the batch's running records (those running end on their workers) and deletes it with its results.</summary>
    public async Task<IReadOnlyList<string>> CancelAndDeleteAsync(Caller caller, string name, string version, string id, CancellationToken cancellationToken)
    {
        await VisibleAsync(caller, name, version, id, cancellationToken);
        await runner.CancelAsync(id);
        await notices.PublishAsync(ChangeTopics.BatchCancel, id, CancellationToken.None); // the node running it, if another, stops it
        await store.DeleteAsync(id, cancellationToken);
        return [id];
    }

    /// <summary>The output files of record <paramref name="index"/>.</summary>
    public async Task<IReadOnlyList<string>> FilesAsync(Caller caller, string name, string version, string id, int index, CancellationToken cancellationToken) =>
        [.. (await OutputFilesAsync(caller, name, version, id, index, cancellationToken)).Select(f => f.Key)];

    public async Task<byte[]> FileAsync(Caller caller, string name, string version, string id, int index, string fileName, CancellationToken cancellationToken)
    {
        var files = await OutputFilesAsync(caller, name, version, id, index, cancellationToken);
        return files.TryGetPropertyValue(fileName, out var content) && content?.GetValue<string>() is { } base64
            ? Convert.FromBase64String(base64)
            : throw FerryException.NotFound($"Record {index} of batch '{id}' has no output file '{fileName}'; it has {Describe(files)}.");
    }

    private async Task<JsonObject> OutputFilesAsync(Caller caller, string name, string version, string id, int index, CancellationToken cancellationToken)
    {
        var batch = await VisibleAsync(caller, name, version, id, cancellationToken);
        if (index < 0 || index >= batch.TotalItemCount)
        {
            throw FerryException.NotFound($"Batch '{id}' has records 0 to {batch.TotalItemCount - 1}; there is no record {index}.");
        }

        var result = await store.ResultAsync(id, index, cancellationToken)
            ?? throw FerryException.NotFound($"Record {index} of batch '{id}' has not run yet.");
        return JsonNode.Parse(result)?["outputFiles"] as JsonObject ?? [];
    }

    private async Task<BatchExecution> VisibleAsync(Caller caller, string name, string version, string id, CancellationToken cancellationToken)
    {
        catalog.Get(name, version);
        var batch = await store.GetAsync(id, cancellationToken);
        return batch is not null && batch.Name == name && batch.Version == version && Visible(batch, caller)
            ? batch
            : throw FerryException.NotFound($"There is no batch execution '{id}' of '{name}' version '{version}'.");
    }

    private static bool Visible(BatchExecution batch, Caller caller) =>
        caller.Role >= Role.Owner || string.Equals(batch.Owner, caller.Name, StringComparison.Ordinal);

    private static string Describe(JsonObject files) =>
        files.Count == 0 ? "none" : new StringBuilder().AppendJoin(", ", files.Select(f => $"'{f.Key}'")).ToString();
}
