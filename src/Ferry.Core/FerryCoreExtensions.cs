using Ferry.Core.Access;
using Ferry.Core.Arm;
using Ferry.Core.Auth;
using Ferry.Core.Batches;
using Ferry.Core.Changes;
using Ferry.Core.ComputeNodes;
using Ferry.Core.Diagnostics;
using Ferry.Core.Files;
using Ferry.Core.OnlineEndpoints;
using Ferry.Core.Models;
using Ferry.Core.Nodes;
using Ferry.Core.Runs;
using Ferry.Core.ServicePrincipals;
using Ferry.Core.Sessions;
using Ferry.Core.Snapshots;
using Ferry.Core.Status;
using Ferry.Core.Users;
using Ferry.Core.WebServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Ferry.Core;

/// <summary>Registers Ferry's application services and binds their options (directories default under the data directory).</summary>
public static class FerryCoreExtensions
{
    public static IServiceCollection AddFerryCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics(); // the host adds it too; `ferry admin` builds its services without one
        services.AddSingleton<FerryMetrics>();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section)
            .Validate(
                o => o.MaxFailedLogins >= 1 && o.MaxFailedLoginsPerAddress >= 1 && o.MaxConcurrentPasswordChecks >= 1 && o.MaxQueuedPasswordChecks >= 0,
                "Ferry:Auth: MaxFailedLogins, MaxFailedLoginsPerAddress and MaxConcurrentPasswordChecks must be at least 1, MaxQueuedPasswordChecks at least 0.")
            .ValidateOnStart();
        services.AddSingleton<UserService>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<PasswordCheckGate>();
        services.AddSingleton<AuthService>();
        services.AddSingleton<ChangeDispatcher>();
        services.AddSingleton<IChangeSubscriber>(sp => sp.GetRequiredService<AuthService>());
        services.AddSingleton<IChangeSubscriber>(sp => sp.GetRequiredService<WebServiceCatalog>());
        services.AddSingleton<IChangeSubscriber>(sp => sp.GetRequiredService<OnlineEndpointService>());
        services.AddSingleton<IChangeSubscriber>(sp => sp.GetRequiredService<RunService>());
        services.AddSingleton<IChangeSubscriber>(sp => sp.GetRequiredService<BatchRunner>());
        services.AddSingleton<StatusService>();
        services.AddSingleton<ComputeNodeService>();
        services.AddOptions<NodeOptions>().BindConfiguration(NodeOptions.Section)
            .Validate(
                o => o.HealthInterval > TimeSpan.Zero && o.HealthTimeout > TimeSpan.Zero
                    && (string.IsNullOrEmpty(o.AdvertisedUrl) || Uri.TryCreate(o.AdvertisedUrl, UriKind.Absolute, out _)),
                "Ferry:Node: HealthInterval and HealthTimeout must be positive, AdvertisedUrl an absolute http(s) address such as http://10.0.0.4:12805.")
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var node = sp.GetRequiredService<IOptions<NodeOptions>>().Value;
            return new NodeIdentity(node.Role, node.AdvertisedUrl ?? "");
        });
        services.AddOptions<RemoteSessionOptions>().BindConfiguration(RemoteSessionOptions.Section)
            .PostConfigure<IDataDirectory>((o, data) => o.Directory = string.IsNullOrEmpty(o.Directory) ? data.NodePathOf("sessions") : o.Directory)
            .Validate(
                o => o.MaxSessionsPerUser >= 1 && o.IdleTimeout >= TimeSpan.Zero && o.IdleCheckInterval > TimeSpan.Zero && o.MaxUploadBytes >= 1,
                "Ferry:Sessions: MaxSessionsPerUser and MaxUploadBytes must be at least 1, IdleTimeout not negative, IdleCheckInterval positive.")
            .ValidateOnStart();
        services.AddSingleton<SessionService>();
        services.AddSingleton<SnapshotService>();
        services.AddSingleton<WebServiceCatalog>();
        services.AddSingleton<WebServiceConsumer>();
        services.AddOptions<BatchOptions>().BindConfiguration(BatchOptions.Section)
            .Validate(
                o => o.MaxRecords >= 1 && o.MaxParallelCount >= 1 && o.DefaultParallelCount >= 1 && o.DefaultParallelCount <= o.MaxParallelCount,
                "Ferry:Batch: MaxRecords and MaxParallelCount must be at least 1, DefaultParallelCount between 1 and MaxParallelCount.")
            .ValidateOnStart();
        services.AddSingleton<BatchRunner>();
        services.AddSingleton<BatchService>();
        services.AddSingleton<SubscriptionService>();
        services.AddSingleton<RoleAssignmentService>();
        services.AddSingleton<ServicePrincipalService>();
        services.AddSingleton<ResourceGroupService>();
        services.AddSingleton<ArmOperationService>();
        services.AddOptions<WorkspaceOptions>().BindConfiguration(WorkspaceOptions.Section)
            .PostConfigure<IDataDirectory>((o, data) => o.Directory = string.IsNullOrEmpty(o.Directory) ? data.PathOf("workspaces") : o.Directory);
        services.AddSingleton<WorkspaceService>();
        services.AddSingleton<ComputeService>();
        services.AddOptions<RunOptions>().BindConfiguration(RunOptions.Section)
            .Validate(o => o.MaxProjectBytes >= 1 && o.MaxActiveRunsPerUser >= 1, "Ferry:Runs: MaxProjectBytes and MaxActiveRunsPerUser must be at least 1.")
            .ValidateOnStart();
        services.AddSingleton<RunService>();
        services.AddSingleton<ArtifactService>();
        services.AddSingleton<ModelService>();
        services.AddSingleton<CodeVersionService>();
        services.AddSingleton<OnlineEndpointService>();
        services.AddSingleton<WorkspaceRemoval>();
        return services;
    }
}
