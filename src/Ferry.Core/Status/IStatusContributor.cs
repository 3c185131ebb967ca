namespace Ferry.Core.Status;

/// <summary>A part of the system that reports on its own health under a component name.</summary>
public interface IStatusContributor
{
    string Name { get; }

    Task<StatusNode> CheckAsync(CancellationToken cancellationToken);
}
