using Ferry.Core.Execution;
using Ferry.Core.Files;
using Ferry.Core.Runs;
using Ferry.Core.Status;
using Ferry.Execution.Diagnostics;
using Ferry.Execution.Pools;
using Ferry.Execution.Realtime;
using Ferry.Execution.Runs;
using Ferry.Execution.Runtimes;
using Ferry.Execution.Runtimes.Python;
using Ferry.Execution.Runtimes.R;
using Ferry.Execution.Sandboxing;
using Ferry.Execution.Workers;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Execution;

/// <summary>Registers the interpreters, the sandbox, the pools and the run dispatcher, and binds their options.</summary>
public static class FerryExecutionExtensions
{
    /// <summary>
    /// Registers the runtimes and the ONNX scorer on every node; where <paramref name="hostsWorkers"/>
    /// (the one-box server and compute nodes) also the sandbox, the warm pool, the service pools as the
    /// <see cref="IServiceRunner"/> and the run dispatcher. A web node registers its own runner and
    /// dispatcher, which send the work to compute nodes.
    /// </summary>
    public static IServiceCollection AddFerryExecution(this IServiceCollection services, bool hostsWorkers = true)
    {
        services.AddOptions<PythonOptions>().BindConfiguration(PythonOptions.Section);
        services.AddSingleton<PythonRuntime>();
        services.AddOptions<ROptions>().BindConfiguration(ROptions.Section);
        services.AddSingleton<RRuntime>();
        services.AddSingleton<IRuntime>(sp => sp.GetRequiredService<PythonRuntime>());
        services.AddSingleton<IRuntime>(sp => sp.GetRequiredService<RRuntime>());
        services.AddSingleton<RuntimeCatalog>();
        services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section)
            .PostConfigure<IDataDirectory>((o, data) => o.Directory = string.IsNullOrEmpty(o.Directory) ? data.NodePathOf("warm-workers") : o.Directory)
            .Validate(
                o => IsTimeout(o.ExecutionTimeout) && IsTimeout(o.StartTimeout) && o.FrameTimeout > TimeSpan.Zero && o.InterruptGrace >= TimeSpan.Zero && o.MemoryLimitMb >= 0 && o.WarmPoolSize >= 0,
                "Ferry:Workers: ExecutionTimeout and StartTimeout must be positive (or infinite), FrameTimeout positive, InterruptGrace, MemoryLimitMb and WarmPoolSize not negative.")
            .ValidateOnStart();
        services.AddOptions<SandboxOptions>().BindConfiguration(SandboxOptions.Section)
            .PostConfigure<IDataDirectory>((o, data) =>
            {
                o.Directory = string.IsNullOrEmpty(o.Directory) ? data.NodePathOf("sandbox") : o.Directory;
                o.HiddenPaths.Add(data.Root);
                if (data.NodeRoot != data.Root)
                {
                    o.HiddenPaths.Add(data.NodeRoot);
                }
            })
            .Validate(
                o => o.MaxProcesses >= 1 && o.MaxOpenFiles >= 1 && o.MaxFileSizeMb >= 1 && o.RunCpuSeconds >= 0 && o.SharedMemoryMb >= 1 && o.UidCount >= 1,
                "Ferry:Sandbox: MaxProcesses, MaxOpenFiles, MaxFileSizeMb, SharedMemoryMb and UidCount must be at least 1, RunCpuSeconds not negative.")
            .ValidateOnStart();
        services.AddSingleton<Sandbox>();
        services.AddSingleton<WarmWorkerPool>();
        services.AddSingleton<IWorkerFactory, WorkerFactory>();
        services.AddOptions<ServicePoolOptions>().BindConfiguration(ServicePoolOptions.Section)
            .PostConfigure<IDataDirectory>((o, data) => o.Directory = string.IsNullOrEmpty(o.Directory) ? data.NodePathOf("service-workers") : o.Directory)
            .Validate(
                o => o.MaxResidentWorkers >= 1 && o.MaxResidentWorkersPerUser >= 1 && o.IdleTimeout >= TimeSpan.Zero && o.BackgroundIdleTimeout >= TimeSpan.Zero
                    && o.InitialPoolSize >= 0 && o.MaxPoolSize >= 1 && o.InitialPoolSize <= o.MaxPoolSize,
                "Ferry:WebServices: MaxResidentWorkers, MaxResidentWorkersPerUser and MaxPoolSize must be at least 1, 0 <= InitialPoolSize <= MaxPoolSize, IdleTimeout and BackgroundIdleTimeout not negative.")
            .ValidateOnStart();
        services.AddOptions<RealtimeOptions>().BindConfiguration(RealtimeOptions.Section)
            .Validate(
                o => o.MaxBatchSize is >= 1 and <= 4096 && o.MaxBatchWait >= TimeSpan.Zero && o.MaxBatchWait <= TimeSpan.FromSeconds(1) && o.IntraOpThreads >= 1,
                "Ferry:Realtime: MaxBatchSize must be from 1 to 4096, MaxBatchWait from 0 to 1 second, IntraOpThreads at least 1.")
            .ValidateOnStart();
        services.AddSingleton<RealtimeScorer>();
        services.AddSingleton<PoolMetrics>();
        services.AddSingleton<ServicePoolManager>();
        services.AddSingleton<RunDispatcher>();
        if (hostsWorkers)
        {
            services.AddSingleton<IStatusContributor, RuntimeStatusContributor>();
            services.AddSingleton<IStatusContributor, SandboxStatusContributor>();
            services.AddHostedService(sp => sp.GetRequiredService<WarmWorkerPool>());
            services.AddSingleton<IServiceRunner>(sp => sp.GetRequiredService<ServicePoolManager>());
            services.AddSingleton<IRunDispatcher>(sp => sp.GetRequiredService<RunDispatcher>());
            services.AddHostedService(sp => sp.GetRequiredService<RunDispatcher>());
        }

        return services;
    }

    // Timeout.InfiniteTimeSpan is how .NET spells "no timeout"; zero or another negative value is a mistake.
    private static bool IsTimeout(TimeSpan value) => value > TimeSpan.Zero || value == Timeout.InfiniteTimeSpan;
}
