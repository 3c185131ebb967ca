using Ferry.Core.Execution;
using Ferry.Core.Files;

namespace Ferry.Execution.Pools;

/// <summary>
/// A worker loaded with one revision of a web service, in a working directory of its own; a copy of
/// the revision's template lets it go (<paramref name="released"/>) once it is gone.
/// </summary>
internal sealed class PreparedWorker(IWorker worker, long revision, string directory, Func<ValueTask>? released = null) : IAsyncDisposable
{
    public IWorker Worker { get; } = worker;

    public long Revision { get; } = revision;

    /// <summary>Calls on it now (the running one and any written behind it); kept under the pool's lock.</summary>
    public int Calls { get; set; }

    /// <summary>Takes no new call (died, an older revision, or its service is gone); under the pool's lock.</summary>
    public bool Retired { get; set; }

    /// <summary>Disposed, or being disposed; under the pool's lock.</summary>
    public bool Stopped { get; set; }

    public async ValueTask DisposeAsync()
    {
        await Worker.DisposeAsync();
        _ = ConfinedFiles.TryDeleteTree(directory);

        if (released is not null)
        {
            await released();
        }
    }
}

/// <summary>A service's initCode failed or its snapshot did not load: no worker can serve it.</summary>
internal sealed class PreparationFailedException(string message) : Exception(message);
