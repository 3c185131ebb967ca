using Ferry.Core.Access;
using Ferry.Core.Arm;
using Ferry.Core.Auth;
using Ferry.Core.Batches;
using Ferry.Core.Changes;
using Ferry.Core.Files;
using Ferry.Core.ComputeNodes;
using Ferry.Core.OnlineEndpoints;
using Ferry.Core.Models;
using Ferry.Core.Runs;
using Ferry.Core.ServicePrincipals;
using Ferry.Core.Sessions;
using Ferry.Core.Snapshots;
using Ferry.Core.Status;
using Ferry.Core.Users;
using Ferry.Core.WebServices;
using Ferry.Storage.Access;
using Ferry.Storage.Arm;
using Ferry.Storage.Auth;
using Ferry.Storage.Batches;
using Ferry.Storage.Changes;
using Ferry.Storage.Blobs;
using Ferry.Storage.ComputeNodes;
using Ferry.Storage.Database;
using Ferry.Storage.OnlineEndpoints;
using Ferry.Storage.Models;
using Ferry.Storage.Runs;
using Ferry.Storage.ServicePrincipals;
using Ferry.Storage.Sessions;
using Ferry.Storage.Snapshots;
using Ferry.Storage.Users;
using Ferry.Storage.WebServices;
using Ferry.Storage.Secrets;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ferry.Storage;

/// <summary>Registers the data directory, the database (SQLite or PostgreSQL) and the stores behind Core's interfaces.</summary>
public static class FerryStorageExtensions
{
    /// <summary>Binds <see cref="StorageOptions"/> (section <c>Ferry</c>) and <see cref="DatabaseOptions"/> (<c>Ferry:Storage</c>), and registers the data directory and the stores.</summary>
    public static IServiceCollection AddFerryStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.DataDirectory) && o.BusyTimeout >= TimeSpan.Zero, "Ferry: DataDirectory must be set and BusyTimeout not negative.")
            .ValidateOnStart();
        services.AddSingleton<DataDirectory>();
        services.AddSingleton<IDataDirectory>(sp => sp.GetRequiredService<DataDirectory>());
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section)
            .Validate(o => o.IsValid, $"{DatabaseOptions.Section}: Provider must be Sqlite or Postgres, and Postgres needs a ConnectionString.")
            .ValidateOnStart();
        services.AddSingleton<FerryDatabase>(sp => sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider == StorageProvider.Postgres
            ? ActivatorUtilities.CreateInstance<PostgresDatabase>(sp)
            : ActivatorUtilities.CreateInstance<SqliteDatabase>(sp));
        services.AddSingleton<Migrator>();
        services.AddSingleton<NodePresence>();
        services.AddSingleton<IChangeNotices>(sp => sp.GetRequiredService<FerryDatabase>().Provider == StorageProvider.Postgres
            ? ActivatorUtilities.CreateInstance<PostgresChangeNotices>(sp)
            : new LocalChangeNotices());
        services.AddHostedService<PostgresChangeListener>();
        services.AddSingleton<IUserStore, UserStore>();
        services.AddSingleton<ILoginSessionStore, LoginSessionStore>();
        services.AddSingleton<IComputeNodeStore, ComputeNodeStore>();
        services.AddSingleton<ISessionPlacementStore, SessionPlacementStore>();
        services.AddSingleton<BlobStore>();
        services.AddSingleton<IBlobStore>(sp => sp.GetRequiredService<BlobStore>());
        services.AddSingleton<ISnapshotStore, SnapshotStore>();
        services.AddSingleton<IWebServiceStore, WebServiceStore>();
        services.AddSingleton<IBatchStore, BatchStore>();
        services.AddSingleton<IServicePrincipalStore, ServicePrincipalStore>();
        services.AddSingleton<ISettingsStore, SettingsStore>();
        services.AddSingleton<ISubscriptionStore, SubscriptionStore>();
        services.AddSingleton<IRoleAssignmentStore, RoleAssignmentStore>();
        services.AddSingleton<IResourceGroupStore, ResourceGroupStore>();
        services.AddSingleton<IWorkspaceStore, WorkspaceStore>();
        services.AddSingleton<IArmOperationStore, ArmOperationStore>();
        services.AddSingleton<IComputeStore, ComputeStore>();
        services.AddSingleton<IRunStore, RunStore>();
        services.AddSingleton<IModelStore, ModelStore>();
        services.AddSingleton<ICodeVersionStore, CodeVersionStore>();
        services.AddSingleton<IOnlineEndpointStore, OnlineEndpointStore>();
        services.AddDataProtection().SetApplicationName("Ferry");
        services.AddOptions<KeyManagementOptions>().Configure<DataDirectory>((o, data) =>
            o.XmlRepository = new OwnerOnlyXmlRepository(data.PathOf(EndpointKeyProtector.KeyRingDirectory)));
        services.AddSingleton<EndpointKeyProtector>();
        services.AddSingleton<IStatusContributor, DatabaseStatusContributor>();
        services.AddSingleton<IStatusContributor, DataDirectoryStatusContributor>();
        return services;
    }
}
