namespace Ferry.Core.Models;

public interface ICodeVersionStore
{
    Task<CodeVersion?> FindAsync(string resourceGroup, string workspace, string name, string version, CancellationToken cancellationToken);

    /// <summary>Creates or replaces; true when created.</summary>
    Task<bool> UpsertAsync(CodeVersion code, CancellationToken cancellationToken);
}
