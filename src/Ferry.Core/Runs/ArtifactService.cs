using Ferry.Core.Arm;
using Ferry.Core.Errors;
using Ferry.Core.Files;
using Microsoft.Extensions.Options;

namespace Ferry.Core.Runs;

/// <summary>
/// The artifact store of a workspace: <c>ExperimentRun/dcid.{runId}</c> holds what a run wrote under
/// <c>outputs/</c> (read-only); <c>LocalUpload/{container}</c> holds what users upload (code, data).
/// Paths are relative and never leave their container.
/// </summary>
public sealed class ArtifactService(IRunStore runs, WorkspaceService workspaces, IOptions<WorkspaceOptions> workspaceOptions, IOptions<RunOptions> options)
{
    public const string RunOrigin = "ExperimentRun";
    public const string UploadOrigin = "LocalUpload";

    /// <summary>Every artifact path in the container (relative, '/'-separated), in order.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string resourceGroup, string workspace, string origin, string container, CancellationToken cancellationToken)
    {
        // A run's outputs are written by user code: read without following its links (ConfinedFiles).
        var (root, prefix) = await RootAsync(resourceGroup, workspace, origin, container, cancellationToken);
        return Directory.Exists(root) ? ConfinedFiles.ListFiles(root, prefix) : [];
    }

    /// <summary>The artifact's content, opened; a missing one is a 404.</summary>
    public async Task<FileStream> OpenAsync(string resourceGroup, string workspace, string origin, string container, string path, CancellationToken cancellationToken)
    {
        var (root, prefix) = await RootAsync(resourceGroup, workspace, origin, container, cancellationToken);
        var file = Inside(root, prefix, path);
        return (Directory.Exists(root) ? ConfinedFiles.OpenRead(root, Path.GetRelativePath(root, file)) : null)
            ?? throw NotFound($"There is no artifact '{origin}/{container}/{path}'.");
    }

    /// <summary>Stores an upload (LocalUpload only), replacing one of the same path once it has arrived whole.</summary>
    public async Task PutAsync(string resourceGroup, string workspace, string origin, string container, string path, Stream content, CancellationToken cancellationToken)
    {
        if (origin != UploadOrigin)
        {
            throw new FerryException(FerryErrorKind.BadRequest, $"Only the {UploadOrigin} origin takes uploads; {origin} artifacts are written by runs.", code: "UserError");
        }

        var (root, prefix) = await RootAsync(resourceGroup, workspace, origin, container, cancellationToken);
        var file = Inside(root, prefix, path);
        if (Directory.Exists(file))
        {
            throw Clash(path, "a directory of that path holds other artifacts");
        }

        // A file where the path needs a directory ('a' stored, 'a/b' sent) is the client's clash, not a server fault.
        for (var parent = Path.GetDirectoryName(file)!; parent.Length > root.Length; parent = Path.GetDirectoryName(parent)!)
        {
            if (File.Exists(parent))
            {
                throw Clash(path, $"the artifact '{Path.GetRelativePath(root, parent).Replace(Path.DirectorySeparatorChar, '/')}' is a file, not a directory");
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var temp = Path.Combine(Path.GetDirectoryName(file)!, ".upload-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                var buffer = new byte[81920];
                long total = 0;
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    total += read;
                    if (total > options.Value.MaxProjectBytes)
                    {
                        throw new FerryException(FerryErrorKind.PayloadTooLarge, $"The artifact is larger than {options.Value.MaxProjectBytes} bytes.", code: "UserError");
                    }

                    await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            File.Move(temp, file, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>The container's directory and the part of it that holds artifacts.</summary>
    private async Task<(string Root, string Prefix)> RootAsync(string resourceGroup, string workspace, string origin, string container, CancellationToken cancellationToken)
    {
        var found = await workspaces.GetAsync(resourceGroup, workspace, cancellationToken);
        if (origin == RunOrigin)
        {
            var runId = container.StartsWith("dcid.", StringComparison.Ordinal) ? container[5..] : container;
            var run = await runs.FindAsync(runId, cancellationToken);
            return run is not null && string.Equals(run.Experiment.Workspace, found.Name, StringComparison.OrdinalIgnoreCase)
                && string.Equals(run.Experiment.ResourceGroup, found.ResourceGroup, StringComparison.OrdinalIgnoreCase)
                ? (Path.GetFullPath(run.Directory), "outputs")
                : throw NotFound($"There is no run container '{container}'.");
        }

        if (origin == UploadOrigin && FileNames.Problem(container) is null)
        {
            return (Path.Combine(Path.GetFullPath(workspaceOptions.Value.Directory), found.WorkspaceId, "artifacts", UploadOrigin, container), "");
        }

        throw new FerryException(FerryErrorKind.BadRequest, $"Unknown artifact origin '{FileNames.Printable(origin)}' or container '{FileNames.Printable(container)}'; use {RunOrigin}/dcid.{{runId}} or {UploadOrigin}/{{container}}.", code: "UserError");
    }

    private static string Inside(string root, string prefix, string path)
    {
        if (FileNames.PathProblem(path) is { } problem)
        {
            throw new FerryException(FerryErrorKind.BadRequest, $"The artifact path '{FileNames.Printable(path)}' is not valid: {problem}.", code: "UserError");
        }

        var scope = Path.GetFullPath(Path.Combine(root, prefix)) + Path.DirectorySeparatorChar;
        var file = Path.GetFullPath(Path.Combine(root, path));
        return path.Length > 0 && !Path.IsPathRooted(path) && ConfinedFiles.IsPlainRelativePath(path) && file.StartsWith(scope, StringComparison.Ordinal)
            ? file
            : throw new FerryException(FerryErrorKind.BadRequest, $"The artifact path '{path}' is not inside its container{(prefix.Length > 0 ? $"'s {prefix}/" : "")}.", code: "UserError");
    }

    private static FerryException Clash(string path, string reason) =>
        new(FerryErrorKind.Conflict, $"The artifact path '{FileNames.Printable(path)}' cannot be stored: {reason}.", code: "UserError");

    private static FerryException NotFound(string message) => new(FerryErrorKind.NotFound, message, code: "UserError");
}
