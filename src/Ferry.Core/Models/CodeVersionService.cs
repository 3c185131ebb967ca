using Ferry.Core.Arm;
using Ferry.Core.Errors;
using Ferry.Core.Runs;

namespace Ferry.Core.Models;

/// <summary>Code versions, whose <c>path</c> must name uploaded artifacts that exist.</summary>
public sealed class CodeVersionService(ICodeVersionStore store, WorkspaceService workspaces, ArtifactService artifacts, TimeProvider time)
{
    public async Task<(CodeVersion Code, bool Created)> PutAsync(
        string resourceGroup, string workspace, string name, string version, string? path, string? description, CancellationToken cancellationToken)
    {
        var found = await workspaces.GetAsync(resourceGroup, workspace, cancellationToken);
        var parts = (path ?? "").Trim('/').Split('/', 2);
        if (parts.Length != 2 || parts[0] != ArtifactService.UploadOrigin)
        {
            throw new FerryException(FerryErrorKind.BadRequest, $"properties.path must name uploaded artifacts as '{ArtifactService.UploadOrigin}/{{container}}'; got '{path}'.", code: "UserError");
        }

        if ((await artifacts.ListAsync(found.ResourceGroup, found.Name, parts[0], parts[1], cancellationToken)).Count == 0)
        {
            throw new FerryException(FerryErrorKind.BadRequest, $"'{path}' holds no uploaded artifacts; upload the code first.", code: "UserError");
        }

        var code = new CodeVersion(found.ResourceGroup, found.Name, name, version, $"{parts[0]}/{parts[1]}", description, time.GetUtcNow());
        return (code, await store.UpsertAsync(code, cancellationToken));
    }

    public async Task<CodeVersion> GetAsync(string resourceGroup, string workspace, string name, string version, CancellationToken cancellationToken) =>
        await store.FindAsync(resourceGroup, workspace, name, version, cancellationToken)
            ?? throw new FerryException(FerryErrorKind.NotFound, $"Code '{name}' version '{version}' was not found.", code: "ResourceNotFound");
}
