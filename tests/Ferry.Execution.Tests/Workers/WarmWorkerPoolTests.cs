using Ferry.Core.Sessions;
using Ferry.Execution.Runtimes.Python;
using Ferry.Execution.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ferry.Execution.Tests.Workers;

/// <summary>The warm pool with real interpreters: filled at start, refilled after a take.</summary>
public sealed class WarmWorkerPoolTests
{
    [Fact]
    public async Task Pool_FillsTakesAndRefills_WorkerServesItsNewDirectory()
    {
        var options = Options.Create(new WorkerOptions { WarmPoolSize = 2 });
        using var pool = new WarmWorkerPool(new PythonRuntime(Options.Create(new PythonOptions())), options, NullLogger<PythonWorker>.Instance);
        await pool.StartAsync(CancellationToken.None);
        try
        {
            await WaitForAsync(() => pool.Count == 2);
            Assert.True(pool.TryTake(out var worker));
            await using (worker)
            {
                var directory = Directory.CreateTempSubdirectory("ferry-warm-test").FullName;
                try
                {
                    await worker.ChangeDirectoryAsync(directory, CancellationToken.None);
                    var result = await worker.ExecuteAsync("import os\nhere = os.getcwd()\nopen('f.txt', 'w').write('x')", [], ["here"], CancellationToken.None);
                    Assert.Equal(directory, result.OutputParameters.Single().Value!.GetValue<string>());
                    Assert.Equal(["f.txt"], result.ChangedFiles);
                }
                finally
                {
                    Directory.Delete(directory, recursive: true);
                }
            }

            await WaitForAsync(() => pool.Count == 2);
        }
        finally
        {
            await pool.StopAsync(CancellationToken.None);
        }

        Assert.Equal(0, pool.Count);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(condition(), "The pool did not reach the expected size within 30 s.");
    }
}
