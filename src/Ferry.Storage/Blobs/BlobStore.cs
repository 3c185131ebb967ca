using System.Data.Common;
using System.Security.Cryptography;
using Dapper;
using Ferry.Core.Errors;
using Ferry.Core.Snapshots;

namespace Ferry.Storage.Blobs;

/// <summary>
/// Content-addressed files under <c>&lt;data&gt;/blobs/ab/abcdef…</c> with a reference count per blob in
/// the database. References change inside the writer's transaction; the last one removes the file
/// before that transaction commits, so no live row ever points at a missing file.
/// </summary>
public sealed class BlobStore(DataDirectory dataDirectory) : IBlobStore
{
    private readonly string root = dataDirectory.PathOf("blobs");

    public string PathOf(string hash) => Path.Combine(root, hash[..2], hash);

    public async Task<(string Hash, long Size)> StageAsync(string file, CancellationToken cancellationToken)
    {
        string hash;
        await using (var stream = File.OpenRead(file))
        {
            hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        }

        var size = new FileInfo(file).Length;
        var target = PathOf(hash);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(file, target, overwrite: true);
        return (hash, size);
    }

    /// <summary>A new reference to staged content (a snapshot's zip).</summary>
    internal async Task AddReferenceAsync(DbConnection connection, DbTransaction transaction, string hash, long size, CancellationToken cancellationToken)
    {
        if (!File.Exists(PathOf(hash)))
        {
            throw new InvalidOperationException($"Blob {hash} was not staged.");
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO blobs (hash, size, refs) VALUES (@hash, @size, 1) ON CONFLICT (hash) DO UPDATE SET refs = blobs.refs + 1;",
            new { hash, size }, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Another reference to content already held (a service baking in a snapshot's content).</summary>
    internal static async Task ShareAsync(DbConnection connection, DbTransaction transaction, string hash, CancellationToken cancellationToken)
    {
        var rows = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE blobs SET refs = refs + 1 WHERE hash = @hash;", new { hash }, transaction, cancellationToken: cancellationToken));
        if (rows == 0)
        {
            throw FerryException.BadRequest("The snapshot's content is gone: it was deleted meanwhile.");
        }
    }

    /// <summary>Drops a reference; the last one removes the row and, before commit, the file.</summary>
    internal async Task ReleaseAsync(DbConnection connection, DbTransaction transaction, string hash, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE blobs SET refs = refs - 1 WHERE hash = @hash;", new { hash }, transaction, cancellationToken: cancellationToken));
        var removed = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM blobs WHERE hash = @hash AND refs = 0;", new { hash }, transaction, cancellationToken: cancellationToken));
        if (removed == 1)
        {
            File.Delete(PathOf(hash));
        }
    }
}
