using System.Text.Json;

namespace Ferry.Cli.Client;

/// <summary>
/// The login's file, <c>$XDG_CONFIG_HOME/ferry/credentials.json</c> (else <c>~/.config/ferry/</c>):
/// owner-only from the moment it exists, since its tokens act as the user.
/// </summary>
internal static class CredentialStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string FilePath => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify), "ferry", "credentials.json");

    public static async Task SaveAsync(Credentials credentials, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(FilePath)!;
        var temporary = FilePath + ".new";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory); // the profile's folder is the user's alone
        }
        else
        {
            // Written beside and moved over, created 0600: the tokens are never readable by others, not even for a moment.
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(temporary, options))
        {
            await JsonSerializer.SerializeAsync(stream, credentials, Json, cancellationToken);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite); // a leftover .new of other modes is reused by Create
        }

        File.Move(temporary, FilePath, overwrite: true);
    }

    public static async Task<Credentials> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(FilePath))
        {
            throw new ClientException("Not logged in: run 'ferry login --server URL --username NAME' first.");
        }

        await using var stream = File.OpenRead(FilePath);
        return await JsonSerializer.DeserializeAsync<Credentials>(stream, Json, cancellationToken)
            ?? throw new ClientException($"{FilePath} is empty; run 'ferry login' again.");
    }
}
