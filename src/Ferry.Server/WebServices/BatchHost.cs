using Ferry.Core.Batches;

namespace Ferry.Server.WebServices;

/// <summary>Runs the batch runner for the server's lifetime; it starts after the catalog is loaded (FerryStartup is registered first).</summary>
internal sealed class BatchHost(BatchRunner runner) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => runner.RunAsync(stoppingToken);
}
