namespace Ferry.Execution.Protocol;

/// <summary>
/// A frame from the worker: <c>ready</c> (<see cref="Type"/>, <see cref="Token"/>), an <c>execute</c>
/// reply, a workspace reply (<see cref="Names"/>, <see cref="Data"/>), or a request refused
/// (<see cref="Error"/>, with <see cref="Status"/> <c>badRequest</c>, <c>notFound</c> or <c>expired</c>).
/// </summary>
internal sealed class WorkerReply
{
    public string? Type { get; init; }

    public string? Token { get; init; }

    public bool Success { get; init; }

    public string? ErrorMessage { get; init; }

    public string? ConsoleOutput { get; init; }

    public IReadOnlyList<OutputParameter>? OutputParameters { get; init; }

    public IReadOnlyDictionary<string, string>? OutputFiles { get; init; }

    public IReadOnlyList<string>? ChangedFiles { get; init; }

    public IReadOnlyList<string>? Names { get; init; }

    public string? Data { get; init; }

    /// <summary>A <c>fork</c> reply: the copy's pid in the sandbox.</summary>
    public int? Pid { get; init; }

    /// <summary>An <c>execute_many</c> reply: one <c>execute</c> reply per record run.</summary>
    public IReadOnlyList<WorkerReply>? Results { get; init; }

    public string? Error { get; init; }

    public string? Status { get; init; }
}
