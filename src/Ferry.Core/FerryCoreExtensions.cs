using Ferry.Core.Access;
using Ferry.Core.Arm;
using Ferry.Core.Auth;
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
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ferry.Core;

/// <summary>Registers Ferry's application services.</summary>
public static class FerryCoreExtensions
{
    public static IServiceCollection AddFerryCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<AuthOptions>();
        services.AddSingleton<UserService>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<PasswordCheckGate>();
        services.AddSingleton<AuthService>();
        services.AddSingleton<StatusService>();
        services.AddSingleton<ComputeNodeService>();
        services.AddOptions<RemoteSessionOptions>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<SnapshotService>();
        services.AddSingleton<WebServiceCatalog>();
        services.AddSingleton<WebServiceConsumer>();
        services.AddSingleton<SubscriptionService>();
        services.AddSingleton<RoleAssignmentService>();
        services.AddSingleton<ServicePrincipalService>();
        services.AddSingleton<ResourceGroupService>();
        services.AddSingleton<ArmOperationService>();
        services.AddOptions<WorkspaceOptions>();
        services.AddSingleton<WorkspaceService>();
        services.AddSingleton<ComputeService>();
        services.AddOptions<RunOptions>();
        services.AddSingleton<RunService>();
        services.AddSingleton<ArtifactService>();
        services.AddSingleton<ModelService>();
        services.AddSingleton<CodeVersionService>();
        services.AddSingleton<OnlineEndpointService>();
        return services;
    }
}
