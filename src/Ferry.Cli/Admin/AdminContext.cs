using Ferry.Core;
using Ferry.Core.Access;
using Ferry.Core.ServicePrincipals;
using Ferry.Core.Users;
using Ferry.Storage;
using Ferry.Storage.Database;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Cli;

/// <summary>Core's services over the data directory's database, brought to the current schema first.</summary>
internal sealed class AdminContext : IAsyncDisposable
{
    private readonly ServiceProvider services;

    private AdminContext(ServiceProvider services) => this.services = services;

    public UserService Users => services.GetRequiredService<UserService>();

    public ServicePrincipalService ServicePrincipals => services.GetRequiredService<ServicePrincipalService>();

    public RoleAssignmentService Roles => services.GetRequiredService<RoleAssignmentService>();

    public SubscriptionService Subscriptions => services.GetRequiredService<SubscriptionService>();

    public static async Task<AdminContext> OpenAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        // The server's registrations and configuration keys, with the data directory from the command line;
        // the environment as the server reads it, e.g. Ferry__Storage__ConnectionString for a PostgreSQL database.
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection([new(StorageOptions.DataDirectoryKey, dataDirectory)])
            .Build();
        var collection = new ServiceCollection();
        collection.AddSingleton<IConfiguration>(configuration);
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        collection.AddFerryCore().AddFerryStorage();
        var provider = collection.BuildServiceProvider();
        await provider.GetRequiredService<Migrator>().MigrateAsync(cancellationToken);
        return new AdminContext(provider);
    }

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
