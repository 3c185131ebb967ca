using System.Text.Json.Nodes;
using Ferry.Execution.Runtimes.Python;
using Ferry.Core.Sessions;
using Ferry.Execution.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ferry.Execution.Tests.Workers;

/// <summary>The real Python worker over its real pipes.</summary>
public sealed class PythonWorkerTests : IAsyncLifetime
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "ferry-worker-tests", Guid.NewGuid().ToString("N"));
    private PythonWorker worker = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(directory);
        worker = await StartAsync(new WorkerOptions { ExecutionTimeout = TimeSpan.FromSeconds(30), MemoryLimitMb = 2048 });
    }

    public async Task DisposeAsync()
    {
        await worker.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Execute_SeedIrisExample_PredictsTheSpecies()
    {
        var train = await worker.ExecuteAsync(
            "from sklearn import svm\nfrom sklearn import datasets\nclf = svm.SVC()\niris = datasets.load_iris()\nX, y = iris.data, iris.target\nclf.fit(X, y)",
            [], [], CancellationToken.None);
        Assert.True(train.Success, train.ErrorMessage + train.ConsoleOutput);

        var predict = await worker.ExecuteAsync(
            "result = clf.predict([species_1])",
            [("species_1", JsonNode.Parse("[7, 3.2, 4.7, 1.4]"))],
            ["result"],
            CancellationToken.None);
        Assert.True(predict.Success, predict.ErrorMessage);
        Assert.Equal("[1]", predict.OutputParameters.Single().Value!.ToJsonString());

        var again = await worker.ExecuteAsync("result = clf.predict([species_1])", [("species_1", JsonNode.Parse("[6.3, 3.3, 6.0, 2.5]"))], ["result"], CancellationToken.None);
        Assert.Equal("[2]", again.OutputParameters.Single().Value!.ToJsonString());
    }

    [Fact]
    public async Task Execute_ConvertsNumpyPandasAndScalars()
    {
        var result = await worker.ExecuteAsync(
            "import numpy as np, pandas as pd\na = np.array([[1, 2], [3, 4]])\nf = np.float64(2.5)\ndf = pd.DataFrame({'x': [1, 2], 'y': ['p', 'q']})\ns = text + '!'",
            [("text", JsonValue.Create("hi"))],
            ["a", "f", "df", "s"],
            CancellationToken.None);
        Assert.True(result.Success, result.ErrorMessage);
        var values = result.OutputParameters.ToDictionary(o => o.Name, o => o.Value!.ToJsonString());
        Assert.Equal("[[1,2],[3,4]]", values["a"]);
        Assert.Equal("2.5", values["f"]);
        Assert.Equal("{\"x\":[1,2],\"y\":[\"p\",\"q\"]}", values["df"]);
        Assert.Equal("\"hi!\"", values["s"]);
    }

    [Fact]
    public async Task Execute_UserError_IsFailureWithTracebackAndWorkerLives()
    {
        var result = await worker.ExecuteAsync("print('before')\n1 / 0", [], [], CancellationToken.None);
        Assert.False(result.Success);
        Assert.Equal("ZeroDivisionError: division by zero", result.ErrorMessage);
        Assert.Contains("before", result.ConsoleOutput, StringComparison.Ordinal);
        Assert.Contains("Traceback", result.ConsoleOutput, StringComparison.Ordinal);

        var next = await worker.ExecuteAsync("x = 1", [], ["x"], CancellationToken.None);
        Assert.True(next.Success);
    }

    [Fact]
    public async Task Execute_OutputNotEncodable_NamesIt()
    {
        var result = await worker.ExecuteAsync("o = object()", [], ["o", "missing"], CancellationToken.None);
        Assert.False(result.Success);
        Assert.Contains("Output 'o' could not be encoded", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("Output 'missing' was not defined", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_CLevelWritesToFd1_AreCapturedNotCorruptingFrames()
    {
        var result = await worker.ExecuteAsync(
            "import os, sys, ctypes\nos.write(1, b'raw fd1\\n')\nctypes.CDLL(None).puts(b'from C')\nctypes.CDLL(None).fflush(None)\nprint('py out')\nsys.stderr.write('py err\\n')",
            [], [], CancellationToken.None);
        Assert.True(result.Success, result.ErrorMessage);
        Assert.Contains("raw fd1", result.ConsoleOutput, StringComparison.Ordinal);
        Assert.Contains("from C", result.ConsoleOutput, StringComparison.Ordinal);
        Assert.Contains("py out", result.ConsoleOutput, StringComparison.Ordinal);
        Assert.Contains("py err", result.ConsoleOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_WritesFiles_ReportsChangedFiles()
    {
        await File.WriteAllTextAsync(Path.Combine(directory, "old.txt"), "x");
        var result = await worker.ExecuteAsync("open('new.csv', 'w').write('a,b')", [], [], CancellationToken.None);
        Assert.Equal(["new.csv"], result.ChangedFiles);
    }

    [Fact]
    public async Task Interrupt_SleepingLoop_StopsExecutionAndKeepsState()
    {
        await worker.ExecuteAsync("kept = 42", [], [], CancellationToken.None);
        var running = worker.ExecuteAsync("import time\nwhile True:\n    time.sleep(0.05)", [], [], CancellationToken.None);
        while (!worker.Interrupt())
        {
            await Task.Delay(20);
        }

        var result = await running;
        Assert.False(result.Success);
        Assert.Contains("interrupted", result.ErrorMessage, StringComparison.Ordinal);
        var after = await worker.ExecuteAsync("", [], ["kept"], CancellationToken.None);
        Assert.Equal("42", after.OutputParameters.Single().Value!.ToJsonString());
    }

    [Fact]
    public async Task Execute_PastTimeout_IsInterrupted()
    {
        await using var quick = await StartAsync(new WorkerOptions { ExecutionTimeout = TimeSpan.FromMilliseconds(500) });
        var result = await quick.ExecuteAsync("import time\ntime.sleep(30)", [], [], CancellationToken.None);
        Assert.False(result.Success);
        Assert.Contains("time limit", result.ErrorMessage, StringComparison.Ordinal);
        Assert.True(quick.IsAlive);
    }

    [Fact]
    public async Task Execute_WorkerExits_GivesClearErrorThenStaysDead()
    {
        var error = await Assert.ThrowsAsync<WorkerDiedException>(() => worker.ExecuteAsync("import os\nos._exit(1)", [], [], CancellationToken.None));
        Assert.Contains("exit code 1", error.Message, StringComparison.Ordinal);
        Assert.False(worker.IsAlive);
        await Assert.ThrowsAsync<WorkerDiedException>(() => worker.ExecuteAsync("x = 1", [], [], CancellationToken.None));
    }

    [Fact]
    public async Task Execute_OverMemoryLimit_FailsCleanly()
    {
        await using var small = await StartAsync(new WorkerOptions { MemoryLimitMb = 1024 });
        var result = await small.ExecuteAsync("big = bytearray(2 * 1024 ** 3)", [], [], CancellationToken.None);
        Assert.False(result.Success);
        Assert.StartsWith("MemoryError", result.ErrorMessage, StringComparison.Ordinal);
        Assert.True((await small.ExecuteAsync("ok = 1", [], ["ok"], CancellationToken.None)).Success);
    }

    private async Task<PythonWorker> StartAsync(WorkerOptions options)
    {
        var runtime = await new PythonRuntime(Options.Create(new PythonOptions())).GetAsync();
        Assert.True(runtime.IsUsable, runtime.Problem);
        return await PythonWorker.StartAsync(runtime.Path!, directory, options, NullLogger.Instance, CancellationToken.None);
    }
}
