namespace Ferry.Core.Changes;

/// <summary>Something a node holds in memory that another node (or the admin CLI) can change.</summary>
public interface IChangeSubscriber
{
    /// <summary>The topic whose notices this subscriber takes (one of <see cref="ChangeTopics"/>).</summary>
    string Topic { get; }

    /// <summary>Another node changed <paramref name="key"/>: read it again, or forget it.</summary>
    Task ApplyAsync(string key, CancellationToken cancellationToken);

    /// <summary>Notices may have been missed (the listener was disconnected): read everything again.</summary>
    Task ResyncAsync(CancellationToken cancellationToken);
}
