using Ferry.Core.Execution;
using Ferry.Execution.Runtimes;
using Ferry.Execution.Runtimes.Python;
using Ferry.Execution.Tests.Sandboxing;
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
        var homes = Directory.CreateTempSubdirectory("ferry-warm-homes").FullName;
        var options = Options.Create(new WorkerOptions { WarmPoolSize = 2, Directory = Path.Combine(homes, "warm") });
        var python = new PythonRuntime(Options.Create(new PythonOptions()));
        using var pool = new WarmWorkerPool(new RuntimeCatalog([python]), TestSandbox.Create(), options, TimeProvider.System, NullLogger<WarmWorkerPool>.Instance);
        await pool.StartAsync(CancellationToken.None);
        try
        {
            await WaitForAsync(() => pool.Count(RuntimeType.Python) == 2);
            Assert.True(pool.TryTake(RuntimeType.Python, out var worker));
            await using (worker)
            {
                var directory = Directory.CreateDirectory(Path.Combine(homes, "session")).FullName;
                Assert.True(worker.TryMoveTo(directory));
                var result = await worker.ExecuteAsync("import os\nhere = os.getcwd()\nopen('f.txt', 'w').write('x')", [], ["here"], CancellationToken.None);
                Assert.Equal("/work", result.OutputParameters.Single().Value!.GetValue<string>()); // its own directory, by the sandbox's name
                Assert.Equal(["f.txt"], result.ChangedFiles);
                Assert.True(File.Exists(Path.Combine(directory, "f.txt")));
            }

            await WaitForAsync(() => pool.Count(RuntimeType.Python) == 2);
        }
        finally
        {
            await pool.StopAsync(CancellationToken.None);
        }

        Assert.Equal(0, pool.Count(RuntimeType.Python));
        Directory.Delete(homes, recursive: true);
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
