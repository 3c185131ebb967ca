using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.Core.Arm;
using Ferry.Core.Errors;
using Ferry.Core.Files;
using Ferry.Core.Runs;

namespace Ferry.Core.Models;

/// <summary>
/// The model registry: versions auto-increment per name; a model's <c>aml://artifact/...</c> url
/// must name an artifact that exists (a run's output or an upload). <c>properties</c> are
/// immutable; description and <c>kvTags</c> change through JSON patch.
/// </summary>
public sealed partial class ModelService(IModelStore store, WorkspaceService workspaces, ArtifactService artifacts, TimeProvider time)
{
    private const string ArtifactScheme = "aml://artifact/";

    public async Task<Model> RegisterAsync(string resourceGroup, string workspace, ModelRegistration registration, CancellationToken cancellationToken)
    {
        var found = await workspaces.GetAsync(resourceGroup, workspace, cancellationToken);
        var name = Required(registration.Name, "name");
        var url = Required(registration.Url, "url");
        var mimeType = Required(registration.MimeType, "mimeType");
        if (!ValidName().IsMatch(name))
        {
            throw Invalid($"The model name '{FileNames.Printable(name)}' is invalid: use 1 to 255 letters, digits, '-', '_' or '.', starting with a letter or digit.");
        }

        await using (await OpenArtifactAsync(found, url, cancellationToken))
        {
            // it exists
        }

        var now = time.GetUtcNow();
        return await store.AddAsync(
            new Model(found.ResourceGroup, found.Name, name, 0, url, mimeType, registration.Framework, registration.FrameworkVersion, registration.Description,
                registration.KvTags ?? new Dictionary<string, string>(), registration.Properties ?? new Dictionary<string, string>(), registration.RunId, now, now),
            cancellationToken);
    }

    public async Task<Model> GetAsync(string resourceGroup, string workspace, string id, CancellationToken cancellationToken)
    {
        var (name, version) = ParseId(id);
        return await store.FindAsync(resourceGroup, workspace, name, version, cancellationToken)
            ?? throw new FerryException(FerryErrorKind.NotFound, $"Model '{id}' was not found.", code: "NotFound");
    }

    /// <summary>Models matching every given filter; <paramref name="tags"/> is <c>k1,k2=v</c> (a key, or a key with its value).</summary>
    public async Task<IReadOnlyList<Model>> ListAsync(
        string resourceGroup, string workspace, string? name, string? framework, string? description, string? tags, string? runId, string? orderBy, int? count, CancellationToken cancellationToken)
    {
        var found = await workspaces.GetAsync(resourceGroup, workspace, cancellationToken);
        IEnumerable<Model> models = await store.ListAsync(found.ResourceGroup, found.Name, cancellationToken);
        models = models.Where(m =>
            (name is null || m.Name == name) && (framework is null || string.Equals(m.Framework, framework, StringComparison.OrdinalIgnoreCase))
            && (description is null || (m.Description ?? "").Contains(description, StringComparison.OrdinalIgnoreCase)) && (runId is null || m.RunId == runId)
            && (tags is null || tags.Split(',', StringSplitOptions.RemoveEmptyEntries).All(t => HasTag(m, t))));
        models = orderBy switch
        {
            null or "CreatedAtDesc" => models.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Version),
            "CreatedAtAsc" => models.OrderBy(m => m.CreatedAt).ThenBy(m => m.Version),
            "UpdatedAtDesc" => models.OrderByDescending(m => m.ModifiedAt),
            "UpdatedAtAsc" => models.OrderBy(m => m.ModifiedAt),
            _ => throw Invalid($"orderBy must be CreatedAtDesc, CreatedAtAsc, UpdatedAtDesc or UpdatedAtAsc; got '{orderBy}'."),
        };
        return [.. count is > 0 ? models.Take(count.Value) : models];
    }

    /// <summary>Applies a JSON patch (<c>add</c>, <c>replace</c>, <c>remove</c>) to /description or /kvTags[/key].</summary>
    public async Task<Model> PatchAsync(string resourceGroup, string workspace, string id, JsonArray patch, CancellationToken cancellationToken)
    {
        var model = await GetAsync(resourceGroup, workspace, id, cancellationToken);
        var tags = new Dictionary<string, string>(model.KvTags);
        var description = model.Description;
        foreach (var operation in patch)
        {
            if (operation is not JsonObject step)
            {
                throw Invalid("Each patch operation must be an object {op, path, value}.");
            }

            var op = step["op"] is JsonValue o && o.TryGetValue<string>(out var opText) ? opText : null;
            var path = step["path"] is JsonValue p && p.TryGetValue<string>(out var pathText) ? pathText : "";
            var value = step["value"];
            if (op is not ("add" or "replace" or "remove"))
            {
                throw Invalid($"Patch op '{op}' is not supported; use add, replace or remove.");
            }

            if (path == "/description")
            {
                description = op == "remove" ? null : Text(value, path);
            }
            else if (path == "/kvTags" && op != "remove" && value is JsonObject all)
            {
                tags = all.ToDictionary(t => t.Key, t => Text(t.Value, $"/kvTags/{t.Key}"));
            }
            else if (path.StartsWith("/kvTags/", StringComparison.Ordinal) && path.Length > 8)
            {
                var key = path[8..];
                if (op == "remove")
                {
                    tags.Remove(key);
                }
                else
                {
                    tags[key] = Text(value, path);
                }
            }
            else
            {
                throw Invalid($"Patch path '{path}' is not changeable: use /description or /kvTags (properties are immutable).");
            }
        }

        var patched = model with { Description = description, KvTags = tags, ModifiedAt = time.GetUtcNow() };
        await store.UpdateAsync(patched, cancellationToken);
        return patched;
    }

    /// <summary>False when there was no such model (model management answers 204).</summary>
    public async Task<bool> DeleteAsync(string resourceGroup, string workspace, string id, CancellationToken cancellationToken)
    {
        var (name, version) = ParseId(id);
        return await store.DeleteAsync(resourceGroup, workspace, name, version, cancellationToken);
    }

    /// <summary>The file an <c>aml://artifact/{origin}/{container}/{path}</c> url names; anything else is a 400.</summary>
    /// <summary>The model's file, opened (read without following links: a run's outputs are user code's).</summary>
    public async Task<FileStream> OpenArtifactAsync(Workspace workspace, string url, CancellationToken cancellationToken)
    {
        if (!url.StartsWith(ArtifactScheme, StringComparison.Ordinal))
        {
            throw Invalid($"The model url must be '{ArtifactScheme}{{origin}}/{{container}}/{{path}}' (a run's output or an upload); got '{url}'.");
        }

        var parts = url[ArtifactScheme.Length..].Split('/', 3);
        if (parts.Length < 3)
        {
            throw Invalid($"The model url '{url}' needs an origin, a container and a path.");
        }

        try
        {
            return await artifacts.OpenAsync(workspace.ResourceGroup, workspace.Name, parts[0], parts[1], parts[2], cancellationToken);
        }
        catch (FerryException ex) when (ex.Kind == FerryErrorKind.NotFound)
        {
            throw Invalid($"The model url names no artifact: {ex.Message}");
        }
    }

    private static bool HasTag(Model model, string filter)
    {
        var pair = filter.Split('=', 2);
        return model.KvTags.TryGetValue(pair[0], out var value) && (pair.Length == 1 || value == pair[1]);
    }

    private static (string Name, int Version) ParseId(string id)
    {
        var at = id.LastIndexOf(':');
        return at > 0 && int.TryParse(id[(at + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? (id[..at], version)
            : throw Invalid($"A model id is 'name:version'; got '{id}'.");
    }

    private static string Text(JsonNode? value, string path) =>
        value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : throw Invalid($"The value for '{path}' must be a string.");

    private static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw Invalid($"'{field}' is required.") : value;

    private static FerryException Invalid(string message) => new(FerryErrorKind.BadRequest, message, code: "BadRequest");

    /// <summary>Azure ML's model names; the name is also a folder of a deployment's files (azureml-models/{name}/{version}).</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,254}\\z")]
    private static partial Regex ValidName();
}
