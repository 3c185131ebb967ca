using Ferry.Core.Execution;
using Ferry.Core.Runs;
using Ferry.Core.Status;
using Ferry.Execution.Pools;
using Ferry.Execution.Runs;
using Ferry.Execution.Runtimes;
using Ferry.Execution.Runtimes.Python;
using Ferry.Execution.Runtimes.R;
using Ferry.Execution.Sandboxing;
using Ferry.Execution.Workers;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Execution;

/// <summary>Registers the interpreters and their health checks.</summary>
public static class FerryExecutionExtensions
{
    public static IServiceCollection AddFerryExecution(this IServiceCollection services)
    {
        services.AddOptions<PythonOptions>();
        services.AddSingleton<PythonRuntime>();
        services.AddSingleton<RRuntime>();
        services.AddSingleton<IRuntime>(sp => sp.GetRequiredService<PythonRuntime>());
        services.AddSingleton<IRuntime>(sp => sp.GetRequiredService<RRuntime>());
        services.AddSingleton<RuntimeCatalog>();
        services.AddSingleton<IStatusContributor, RuntimeStatusContributor>();
        services.AddOptions<WorkerOptions>();
        services.AddOptions<SandboxOptions>();
        services.AddSingleton<Sandbox>();
        services.AddSingleton<IStatusContributor, SandboxStatusContributor>();
        services.AddSingleton<WarmWorkerPool>();
        services.AddHostedService(sp => sp.GetRequiredService<WarmWorkerPool>());
        services.AddSingleton<IWorkerFactory, WorkerFactory>();
        services.AddOptions<ServicePoolOptions>();
        services.AddSingleton<IServiceRunner, ServicePoolManager>();
        services.AddSingleton<RunDispatcher>();
        services.AddSingleton<IRunDispatcher>(sp => sp.GetRequiredService<RunDispatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<RunDispatcher>());
        return services;
    }
}
