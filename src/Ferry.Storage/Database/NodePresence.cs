using System.Security.Cryptography;

namespace Ferry.Storage.Database;

/// <summary>
/// This process among the nodes sharing a database: a random number, held as a session advisory lock
/// (<see cref="LockClass"/>, <see cref="Number"/>) on PostgreSQL while the node is connected, so that
/// others can tell whether it still lives (<c>pg_try_advisory_xact_lock</c> succeeds only once it is gone).
/// PostgreSQL is the membership; Ferry keeps no list of its own.
/// </summary>
public sealed class NodePresence
{
    /// <summary>The first key of every node's lock ("Fy").</summary>
    public const int LockClass = 0x4679;

    public int Number { get; } = RandomNumberGenerator.GetInt32(1, int.MaxValue);

    /// <summary>
    /// PostgreSQL's test that the node numbered by <paramref name="column"/> is gone: its lock can be taken (and the
    /// statement's transaction frees it). A node that lives holds it, so the test fails.
    /// </summary>
    public static string GoneSql(string column) => $"pg_try_advisory_xact_lock({LockClass}, {column})";
}
