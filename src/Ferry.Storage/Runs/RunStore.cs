using System.Text.Json;
using Dapper;
using Ferry.Core.Runs;
using Ferry.Storage.Database;

namespace Ferry.Storage.Runs;

internal sealed class RunStore(FerryDatabase database, NodePresence node) : IRunStore
{
    private const string ActiveOfSubmitter =
        "SELECT count(*) FROM runs WHERE submitted_by = @SubmittedBy COLLATE NOCASE AND status NOT IN (@Completed, @Failed, @Canceled);";

    private const string SelectRun =
        """
        SELECT r.run_id AS RunId, r.run_number AS RunNumber, r.status AS Status, r.target AS Target, r.script AS Script, r.arguments AS Arguments,
               r.definition AS Definition, r.max_duration_s AS MaxDurationSeconds, r.directory AS Directory, r.created_at AS CreatedAt,
               r.started_at AS StartedAt, r.ended_at AS EndedAt, r.error AS Error, r.submitted_by AS SubmittedBy,
               e.experiment_id AS ExperimentId, e.resource_group AS ResourceGroup, e.workspace AS Workspace, e.name AS ExperimentName, e.created_at AS ExperimentCreatedAt
        FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id
        """;

    private const string SelectExperiment =
        "SELECT experiment_id AS ExperimentId, resource_group AS ResourceGroup, workspace AS Workspace, name AS Name, created_at AS CreatedAt FROM experiments";

    public async Task<Experiment> GetOrAddExperimentAsync(string resourceGroup, string workspace, string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO experiments (experiment_id, resource_group, workspace, name, created_at) VALUES (@id, @resourceGroup, @workspace, @name, @now) ON CONFLICT DO NOTHING;",
            new { id = Guid.NewGuid().ToString("D"), resourceGroup, workspace, name, now = Timestamps.Format(now) },
            cancellationToken: cancellationToken));
        var row = await connection.QuerySingleAsync<ExperimentRow>(new CommandDefinition(
            $"{SelectExperiment} WHERE resource_group = @resourceGroup AND workspace = @workspace AND name = @name;", new { resourceGroup, workspace, name }, cancellationToken: cancellationToken));
        return row.ToExperiment();
    }

    public async Task<IReadOnlyList<Experiment>> ListExperimentsAsync(string resourceGroup, string workspace, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ExperimentRow>(new CommandDefinition(
            $"{SelectExperiment} WHERE resource_group = @resourceGroup AND workspace = @workspace ORDER BY created_at, {database.Dialect.InsertionOrder};", new { resourceGroup, workspace }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToExperiment())];
    }

    public async Task<Run?> AddAsync(Run run, int maxActiveOfSubmitter, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);

        // Counted in the write transaction (SQLite's one writer, PostgreSQL's write lock): submissions racing
        // through any nodes cannot pass the cap together.
        var active = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            ActiveOfSubmitter, new { run.SubmittedBy, RunStatus.Completed, RunStatus.Failed, RunStatus.Canceled }, transaction, cancellationToken: cancellationToken));
        if (active >= maxActiveOfSubmitter)
        {
            return null;
        }

        var number = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT coalesce(max(run_number), 0) + 1 FROM runs WHERE experiment_id = @ExperimentId;", new { run.Experiment.ExperimentId }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO runs (run_id, experiment_id, run_number, status, target, script, arguments, definition, max_duration_s, directory, created_at, submitted_by)
            VALUES (@RunId, @ExperimentId, @number, @Status, @Target, @Script, @Arguments, @Definition, @MaxDurationSeconds, @Directory, @CreatedAt, @SubmittedBy);
            """,
            new
            {
                run.RunId, run.Experiment.ExperimentId, number, run.Status, run.Target, run.Script, Arguments = JsonSerializer.Serialize(run.Arguments),
                run.Definition, run.MaxDurationSeconds, run.Directory, CreatedAt = Timestamps.Format(run.CreatedAt), run.SubmittedBy,
            },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return run with { RunNumber = number };
    }

    public async Task<Run?> FindAsync(string runId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition($"{SelectRun} WHERE r.run_id = @runId;", new { runId }, cancellationToken: cancellationToken));
        return row?.ToRun();
    }

    public async Task<IReadOnlyList<Run>> ListAsync(string experimentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RunRow>(new CommandDefinition(
            $"{SelectRun} WHERE r.experiment_id = @experimentId ORDER BY r.run_number;", new { experimentId }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRun())];
    }

    public async Task<IReadOnlyList<Run>> ListByStatusAsync(string status, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RunRow>(new CommandDefinition(
            $"{SelectRun} WHERE r.status = @status ORDER BY r.created_at, r.{database.Dialect.InsertionOrder};", new { status }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRun())];
    }

    public async Task<IReadOnlyList<Run>> ListCutOffAsync(CancellationToken cancellationToken)
    {
        // SQLite: one node, so every run still going was cut off by this one's restart. PostgreSQL: only the
        // runs of nodes that are gone, those whose node lock can be taken (the statement's transaction frees it).
        var gone = database.Provider == StorageProvider.Postgres
            ? $" AND (r.node IS NULL OR {NodePresence.GoneSql("r.node")})"
            : "";
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RunRow>(new CommandDefinition(
            $"{SelectRun} WHERE r.status IN (@Preparing, @Running, @Finalizing){gone} ORDER BY r.created_at, r.{database.Dialect.InsertionOrder};",
            new { RunStatus.Preparing, RunStatus.Running, RunStatus.Finalizing },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRun())];
    }

    public async Task<int> CountActiveAsync(string submittedBy, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            ActiveOfSubmitter,
            new { SubmittedBy = submittedBy, RunStatus.Completed, RunStatus.Failed, RunStatus.Canceled },
            cancellationToken: cancellationToken));
    }

    public async Task<bool> TryClaimAsync(string runId, CancellationToken cancellationToken)
    {
        // One statement: a queued run moves to Preparing once. On PostgreSQL a run another node is
        // claiming right now is passed over at once (SKIP LOCKED), and one it has claimed is no longer queued.
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE runs SET status = @Preparing, node = @Node
            WHERE status = @Queued AND run_id = (SELECT run_id FROM runs WHERE run_id = @runId AND status = @Queued{database.Dialect.SkipLocked});
            """,
            new { runId, RunStatus.Preparing, RunStatus.Queued, Node = node.Number },
            cancellationToken: cancellationToken)) == 1;
    }

    public async Task RequestCancelAsync(string runId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE runs SET cancel_requested = 1 WHERE run_id = @runId;", new { runId }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<string>> ListCancelRequestedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT run_id FROM runs WHERE cancel_requested = 1 AND status NOT IN (@Completed, @Failed, @Canceled);",
            new { RunStatus.Completed, RunStatus.Failed, RunStatus.Canceled },
            cancellationToken: cancellationToken))];
    }

    public async Task<bool> SetStatusAsync(string runId, string status, DateTimeOffset now, string? failure, CancellationToken cancellationToken)
    {
        var terminal = status is RunStatus.Completed or RunStatus.Failed or RunStatus.Canceled;
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE runs SET status = @status, error = coalesce(@failure, error),
                started_at = CASE WHEN @status = 'Running' THEN @now ELSE started_at END,
                ended_at = CASE WHEN @terminal THEN @now ELSE ended_at END
            WHERE run_id = @runId AND status NOT IN ('Completed', 'Failed', 'Canceled');
            """,
            new { runId, status, failure, now = Timestamps.Format(now), terminal },
            cancellationToken: cancellationToken)) == 1;
    }

    private sealed record ExperimentRow(string ExperimentId, string ResourceGroup, string Workspace, string Name, string CreatedAt)
    {
        public Experiment ToExperiment() => new(ExperimentId, ResourceGroup, Workspace, Name, Timestamps.Parse(CreatedAt));
    }

    private sealed class RunRow
    {
        public string RunId { get; init; } = "";

        public long RunNumber { get; init; }

        public string Status { get; init; } = "";

        public string Target { get; init; } = "";

        public string Script { get; init; } = "";

        public string Arguments { get; init; } = "[]";

        public string Definition { get; init; } = "{}";

        public long? MaxDurationSeconds { get; init; }

        public string Directory { get; init; } = "";

        public string CreatedAt { get; init; } = "";

        public string? StartedAt { get; init; }

        public string? EndedAt { get; init; }

        public string? Error { get; init; }

        public string? SubmittedBy { get; init; }

        public string ExperimentId { get; init; } = "";

        public string ResourceGroup { get; init; } = "";

        public string Workspace { get; init; } = "";

        public string ExperimentName { get; init; } = "";

        public string ExperimentCreatedAt { get; init; } = "";

        public Run ToRun() => new(
            RunId,
            new Experiment(ExperimentId, ResourceGroup, Workspace, ExperimentName, Timestamps.Parse(ExperimentCreatedAt)),
            (int)RunNumber,
            Status,
            Target,
            Script,
            JsonSerializer.Deserialize<List<string>>(Arguments) ?? [],
            Definition,
            (int?)MaxDurationSeconds,
            Directory,
            Timestamps.Parse(CreatedAt),
            StartedAt is null ? null : Timestamps.Parse(StartedAt),
            EndedAt is null ? null : Timestamps.Parse(EndedAt),
            Error,
            SubmittedBy);
    }
}
