using Ferry.Core.Arm;
using Ferry.Core.Files;
using Ferry.Core.Sessions;
using Ferry.Core.Users;
using Ferry.Core.WebServices;
using Ferry.Execution.Pools;
using Ferry.Server.Auth;
using Ferry.Storage;
using Ferry.Storage.Database;
using Microsoft.Extensions.Options;

namespace Ferry.Server.Hosting;

/// <summary>
/// Runs before the server takes requests: the schema is brought up to date, the signing key and
/// the admin account exist. A failure here stops start-up instead of serving half a server.
/// </summary>
internal sealed partial class FerryStartup(
    Migrator migrator,
    UserService users,
    AccessTokens tokens,
    DataDirectory dataDirectory,
    IOptions<FerryServerOptions> options,
    IOptions<RemoteSessionOptions> sessions,
    IOptions<ServicePoolOptions> pools,
    WebServiceCatalog webServices,
    IArmOperationStore armOperations,
    TimeProvider time,
    ILogger<FerryStartup> logger) : IHostedService, IDisposable
{
    public const string InitialPasswordFile = "initial-admin-password";

    private IDisposable? nodeDirectory;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        nodeDirectory = dataDirectory.ClaimNodeDirectory(); // before anything in it is cleared
        await migrator.MigrateAsync(cancellationToken);

        // Sessions and pool workers end with the process that held their interpreters; clear what a crash left behind.
        // Whatever user code left there (a name that is not UTF-8, a locked directory) never stops the start: what cannot go is logged.
        foreach (var directory in new[] { sessions.Value.Directory, pools.Value.Directory })
        {
            try
            {
                ConfinedFiles.DeleteTree(directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogNotCleared(logger, directory, e.Message);
            }
        }

        _ = tokens.LifetimeSeconds; // constructing AccessTokens loads or creates the signing key now
        var generated = await users.EnsureAdminAsync(options.Value.AdminPassword, cancellationToken);
        if (generated is not null)
        {
            dataDirectory.WriteSecret(InitialPasswordFile, generated + "\n");
            LogGeneratedPassword(logger, UserService.AdminName, generated, dataDirectory.PathOf(InitialPasswordFile));
        }

        // A long-running ARM operation does not survive the process that ran it: say so to whoever polls.
        await armOperations.FailUnfinishedAsync("The server restarted before the operation finished; retry it.", time.GetUtcNow(), cancellationToken);

        // Every published version is consumable again, from memory, with its pool warming.
        await webServices.LoadAsync(cancellationToken);
        LogReady(logger, dataDirectory.Root);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => nodeDirectory?.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created user '{UserName}' with the generated password {Password} (also in {PasswordFile}); change it with 'ferry admin user set-password'")]
    private static partial void LogGeneratedPassword(ILogger logger, string userName, string password, string passwordFile);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Directory} could not be cleared at start-up: {Problem}")]
    private static partial void LogNotCleared(ILogger logger, string directory, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Data directory {DataDirectory} is ready")]
    private static partial void LogReady(ILogger logger, string dataDirectory);
}
