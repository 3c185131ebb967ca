namespace Ferry.Core.Models;

public interface IModelStore
{
    /// <summary>Adds the model as the next version of its name (the store numbers it, in one transaction).</summary>
    Task<Model> AddAsync(Model model, CancellationToken cancellationToken);

    Task<Model?> FindAsync(string resourceGroup, string workspace, string name, int version, CancellationToken cancellationToken);

    Task<IReadOnlyList<Model>> ListAsync(string resourceGroup, string workspace, CancellationToken cancellationToken);

    Task UpdateAsync(Model model, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string resourceGroup, string workspace, string name, int version, CancellationToken cancellationToken);
}
