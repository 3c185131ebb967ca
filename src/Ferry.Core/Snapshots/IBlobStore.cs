namespace Ferry.Core.Snapshots;

/// <summary>Reads content-addressed bytes; writes happen in the stores' transactions.</summary>
public interface IBlobStore
{
    /// <summary>The file holding the blob; it exists while a row references it.</summary>
    string PathOf(string hash);

    /// <summary>Moves a file into the store under its SHA-256 and returns the hash and size; a row must then reference it.</summary>
    Task<(string Hash, long Size)> StageAsync(string file, CancellationToken cancellationToken);
}
