using Ferry.Core.Execution;
using System.Text.Json.Nodes;
using Ferry.Execution.Runtimes.Python;
using Ferry.Execution.Tests.Sandboxing;
using Ferry.Core.Errors;
using Ferry.Execution.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ferry.Execution.Tests.Workers;

/// <summary>The real Python Worker over its real pipes.</summary>
public sealed class PythonWorkerTests : FrameWorkerTests
{
    protected override string SleepThenDouble => "import time\ntime.sleep(0.001)\ny = x * 2";

    protected override string TouchRan => "open('ran', 'w').close()";

    protected override string SleepOneSecondThenSetFirst => "import time\ntime.sleep(1)\nfirst = 1";

    protected override string LoopForever => "import time\nwhile True:\n    time.sleep(0.05)";

    protected override string SleepThenExitWith3 => "import os, time\ntime.sleep(0.3)\nos._exit(3)";

    protected override string AssignX => "x = 1";

    [Fact]
    public async Task Execute_SeedIrisExample_PredictsTheSpecies()
    {
        var train = await Worker.ExecuteAsync(
            "from sklearn import svm\nfrom sklearn import datasets\nclf = svm.SVC()\niris = datasets.load_iris()\nX, y = iris.data, iris.target\nclf.fit(X, y)",
            [], [], CancellationToken.None);
        Assert.True(train.Success, train.ErrorMessage + train.ConsoleOutput);

        var predict = await Worker.ExecuteAsync(
            "result = clf.predict([species_1])",
            [("species_1", JsonNode.Parse("[7, 3.2, 4.7, 1.4]"))],
            ["result"],
            CancellationToken.None);
        Assert.True(predict.Success, predict.ErrorMessage);
        Assert.Equal("[1]", predict.OutputParameters.Single().Value!.ToJsonString());

        var again = await Worker.ExecuteAsync("result = clf.predict([species_1])", [("species_1", JsonNode.Parse("[6.3, 3.3, 6.0, 2.5]"))], ["result"], CancellationToken.None);
        Assert.Equal("[2]", again.OutputParameters.Single().Value!.ToJsonString());
    }

    [Fact]
    public async Task Execute_ConvertsNumpyPandasAndScalars()
    {
        var result = await Worker.ExecuteAsync(
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
        var result = await Worker.ExecuteAsync("print('before')\n1 / 0", [], [], CancellationToken.None);
        Assert.False(result.Success);
        Assert.Equal("ZeroDivisionError: division by zero", result.ErrorMessage);
        Assert.Contains("before", result.ConsoleOutput, StringComparison.Ordinal);
        Assert.Contains("Traceback", result.ConsoleOutput, StringComparison.Ordinal);

        var next = await Worker.ExecuteAsync("x = 1", [], ["x"], CancellationToken.None);
        Assert.True(next.Success);
    }

    [Fact]
    public async Task Execute_OutputNotEncodable_NamesIt()
    {
        var result = await Worker.ExecuteAsync("o = object()", [], ["o", "missing"], CancellationToken.None);
        Assert.False(result.Success);
        Assert.Contains("Output 'o' could not be encoded", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("Output 'missing' was not defined", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("o = 10 ** 5000", "Exceeds the limit")] // json cannot write an integer of over 4,300 digits
    [InlineData("o = 'a\\ud800b'", "surrogate")] // nor a lone surrogate as UTF-8
    public async Task Execute_OutputJsonCannotCarry_IsAFailedExecution_TheWorkerLivesOn(string code, string reason)
    {
        for (var i = 0; i < 3; i++)
        {
            var result = await Worker.ExecuteAsync(code, [], ["o"], CancellationToken.None);
            Assert.False(result.Success);
            Assert.Contains(reason, result.ErrorMessage, StringComparison.Ordinal);
        }

        var after = await Worker.ExecuteAsync("y = 1", [], ["y"], CancellationToken.None);
        Assert.True(after.Success, after.ErrorMessage);
        Assert.True(Worker.IsAlive);
    }

    [Fact]
    public async Task Execute_CLevelWritesToFd1_AreCapturedNotCorruptingFrames()
    {
        var result = await Worker.ExecuteAsync(
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
        await File.WriteAllTextAsync(Path.Combine(WorkingDirectory, "old.txt"), "x");
        var result = await Worker.ExecuteAsync("open('new.csv', 'w').write('a,b')", [], [], CancellationToken.None);
        Assert.Equal(["new.csv"], result.ChangedFiles);
    }

    [Fact]
    public async Task Interrupt_SleepingLoop_StopsExecutionAndKeepsState()
    {
        await Worker.ExecuteAsync("kept = 42", [], [], CancellationToken.None);
        var running = Worker.ExecuteAsync("import time\nwhile True:\n    time.sleep(0.05)", [], [], CancellationToken.None);
        while (!Worker.Interrupt())
        {
            await Task.Delay(20);
        }

        var result = await running;
        Assert.False(result.Success);
        Assert.Contains("interrupted", result.ErrorMessage, StringComparison.Ordinal);
        var after = await Worker.ExecuteAsync("", [], ["kept"], CancellationToken.None);
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
    public async Task ExecuteMany_EachRecordHasTheTimeLimitOfItsOwn_AChunkLongerThanItIsNotInterrupted()
    {
        // The second record starts only if the first ended within the chunk's 1 s budget: 0.7 s leaves a loaded machine 0.3 s.
        await using var quick = await StartAsync(new WorkerOptions { ExecutionTimeout = TimeSpan.FromMilliseconds(1200) });
        var request = new ExecutionRequest("import time\ntime.sleep(x / 1000)\ny = x", [], [new OutputSpec("y", "integer")]) { Isolated = true };
        var results = await quick.ExecuteManyAsync(request, [[new InputValue("x", 700, "integer")], [new InputValue("x", 700, "integer")]], CancellationToken.None);
        Assert.All(results, r => Assert.True(r!.Success, r.ErrorMessage)); // 1.4 s in all, each record 0.7 s of its 1.2 s (the chunk's limit: 2.2 s)

        var slow = await quick.ExecuteManyAsync(request, [[new InputValue("x", 30000, "integer")]], CancellationToken.None);
        Assert.Contains("time limit", slow[0]!.ErrorMessage, StringComparison.Ordinal); // a record past its own limit still is interrupted
    }

    [Fact]
    public async Task Execute_WorkerExits_GivesClearErrorThenStaysDead()
    {
        var error = await Assert.ThrowsAsync<WorkerDiedException>(() => Worker.ExecuteAsync("import os\nos._exit(1)", [], [], CancellationToken.None));
        Assert.Contains("exit code 1", error.Message, StringComparison.Ordinal);
        Assert.False(Worker.IsAlive);
        await Assert.ThrowsAsync<WorkerDiedException>(() => Worker.ExecuteAsync("x = 1", [], [], CancellationToken.None));
    }

    [Fact]
    public async Task Execute_UserCodeForgesAFrameAndFallsSilent_FailsNamingItPastTheFrameTimeout_AndTheWorkerIsDead()
    {
        // A header for 140 MiB (under the frame cap) on the worker's own channel (fd 3), 1 MiB of it, then silence: the channel is broken.
        await using var forged = await StartAsync(new WorkerOptions { FrameTimeout = TimeSpan.FromSeconds(1) });
        var code = "import os, socket, struct, time\n"
            + "s = socket.socket(fileno=os.dup(3))\n"
            + "s.sendall(struct.pack('<I', 140 * 1024 * 1024) + b'A' * (1 << 20))\n"
            + "time.sleep(3600)";
        var execute = forged.ExecuteAsync(code, [], [], CancellationToken.None);
        var behind = forged.ExecuteAsync("x = 1", [], ["x"], CancellationToken.None);

        // 60 s only keeps a failing test from hanging; the frame's deadline is 1 s.
        var died = await Assert.ThrowsAsync<WorkerDiedException>(() => execute.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.False(died.NotStarted);
        Assert.Contains("did not finish it within 1 s", died.Message, StringComparison.Ordinal);
        Assert.True((await Assert.ThrowsAsync<WorkerDiedException>(() => behind)).NotStarted);
        Assert.False(forged.IsAlive);
        Assert.True((await Assert.ThrowsAsync<WorkerDiedException>(() => forged.ExecuteAsync("x = 1", [], [], CancellationToken.None))).NotStarted);
    }

    [Fact]
    public async Task Execute_LargeOutput_ComesBackWhole()
    {
        // Several of the channel's pieces, under a frame deadline any real reply meets.
        var result = await Worker.ExecuteAsync("s = 'ab' * (3 * 1024 * 1024)", [], ["s"], CancellationToken.None);
        Assert.True(result.Success, result.ErrorMessage);
        Assert.Equal(6 * 1024 * 1024, result.OutputParameters.Single().Value!.GetValue<string>().Length);
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

    [Fact]
    public async Task Execute_DeclaredTypes_ConvertInputsAndOutputs()
    {
        var result = await Worker.ExecuteAsync(
            new ExecutionRequest(
                "import numpy as np\nshape = list(m.shape)\nkinds = [type(i).__name__, type(n).__name__, type(v).__name__, type(df).__name__]\nlabel = 'virginica'\ntotal = float(v.sum())\nflag = np.bool_(True)",
                [
                    new InputValue("i", JsonValue.Create(3), "integer"),
                    new InputValue("n", JsonValue.Create(2), "numeric"),
                    new InputValue("v", JsonNode.Parse("[1, 2, 3.5]"), "vector"),
                    new InputValue("m", JsonNode.Parse("[[1, 2], [3, 4], [5, 6]]"), "matrix"),
                    new InputValue("df", JsonNode.Parse("{\"a\": [1, 2]}"), "data.frame"),
                ],
                [new OutputSpec("shape", "vector"), new OutputSpec("kinds"), new OutputSpec("label", "character"), new OutputSpec("total", "numeric"), new OutputSpec("flag", "logical")]),
            CancellationToken.None);
        Assert.True(result.Success, result.ErrorMessage + result.ConsoleOutput);
        var values = result.OutputParameters.ToDictionary(o => o.Name, o => o.Value!.ToJsonString());
        Assert.Equal("[3,2]", values["shape"]);
        Assert.Equal("[\"int\",\"float\",\"ndarray\",\"DataFrame\"]", values["kinds"]);
        Assert.Equal("\"virginica\"", values["label"]); // the whole string, not its first character
        Assert.Equal("6.5", values["total"]);
        Assert.Equal("true", values["flag"]);

        // NaN and the infinities are missing values (null) in a numeric output, as they are in a vector.
        var missing = await Worker.ExecuteAsync(
            new ExecutionRequest("import numpy as np\nnan = float('nan')\ninf = np.float64('inf')\nv = [1.0, float('-inf')]", [], [new OutputSpec("nan", "numeric"), new OutputSpec("inf", "numeric"), new OutputSpec("v", "vector")]),
            CancellationToken.None);
        Assert.True(missing.Success, missing.ErrorMessage);
        Assert.Equal(["null", "null", "[1.0,null]"], missing.OutputParameters.Select(o => o.Value?.ToJsonString() ?? "null"));

        var mistyped = await Worker.ExecuteAsync(new ExecutionRequest("x = [1, 2]", [], [new OutputSpec("x", "integer")]), CancellationToken.None);
        Assert.False(mistyped.Success);
        Assert.Contains("Output 'x' could not be encoded as integer", mistyped.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_Isolated_LeavesNoVariablesAndReturnsOutputFiles()
    {
        await Worker.ExecuteAsync("base = 10", [], [], CancellationToken.None);
        var result = await Worker.ExecuteAsync(
            new ExecutionRequest("leak = base + x\nopen('plot.txt', 'w').write(str(leak))", [new InputValue("x", JsonValue.Create(1))], [new OutputSpec("leak")])
            {
                Isolated = true,
                OutputFiles = ["plot.txt"],
            },
            CancellationToken.None);
        Assert.True(result.Success, result.ErrorMessage);
        Assert.Equal("11", result.OutputParameters.Single().Value!.ToJsonString());
        Assert.Equal("11", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(result.OutputFiles["plot.txt"])));

        var after = await Worker.ExecuteAsync("", [], ["leak", "x"], CancellationToken.None);
        Assert.Contains("Output 'leak' was not defined", after.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("Output 'x' was not defined", after.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveAndLoadWorkspace_CarriesModelsFunctionsAndImports()
    {
        var train = await Worker.ExecuteAsync(
            "from sklearn import svm, datasets\niris = datasets.load_iris()\nclf = svm.SVC().fit(iris.data, iris.target)\ndef label(i):\n    return str(iris.target_names[i])",
            [], [], CancellationToken.None);
        Assert.True(train.Success, train.ErrorMessage);
        var saved = Path.Combine(WorkingDirectory, "..", Guid.NewGuid().ToString("N") + ".dill");
        try
        {
            await Worker.SaveWorkspaceAsync(saved, CancellationToken.None);
            await using var fresh = await StartAsync(new WorkerOptions());
            await fresh.LoadWorkspaceAsync(saved, CancellationToken.None);
            var result = await fresh.ExecuteAsync("species = label(clf.predict([[5.1, 3.5, 1.4, .2]])[0])\nmodule = svm.__name__", [], ["species", "module"], CancellationToken.None);
            Assert.True(result.Success, result.ErrorMessage + result.ConsoleOutput);
            Assert.Equal("\"setosa\"", result.OutputParameters[0].Value!.ToJsonString());
            Assert.Equal("\"sklearn.svm\"", result.OutputParameters[1].Value!.ToJsonString());
            Assert.Equal(["clf", "iris", "label", "module", "species"], await fresh.ListObjectsAsync(CancellationToken.None));
        }
        finally
        {
            File.Delete(saved);
        }
    }

    [Fact]
    public async Task WorkspaceObject_MissingOrBadBytes_AreNamedErrors()
    {
        var missing = await Assert.ThrowsAsync<FerryException>(() => Worker.GetObjectAsync("nope", CancellationToken.None));
        Assert.Equal(FerryErrorKind.NotFound, missing.Kind);
        var bad = await Assert.ThrowsAsync<FerryException>(() => Worker.SetObjectAsync("x", [1, 2, 3], CancellationToken.None));
        Assert.Equal(FerryErrorKind.BadRequest, bad.Kind);
        Assert.True(Worker.IsAlive);
    }

    [Fact]
    public async Task ExecuteMany_RunsEachRecordIsolated_InOneRequest_FailuresAreTheirOwn()
    {
        await Worker.ExecuteAsync("base = 10", [], [], CancellationToken.None);
        var request = new ExecutionRequest("y = base + 1 // x", [], [new OutputSpec("y", "integer")]) { Isolated = true };
        var results = await ExecuteAllAsync(request, [[new InputValue("x", 1, "integer")], [new InputValue("x", 0, "integer")], [new InputValue("x", 2, "integer")]]);
        Assert.Equal(3, results.Length);
        Assert.Equal(11, results[0].OutputParameters.Single().Value!.GetValue<int>());
        Assert.False(results[1].Success);
        Assert.Contains("ZeroDivisionError", results[1].ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(10, results[2].OutputParameters.Single().Value!.GetValue<int>());
        var left = await Worker.ExecuteAsync("names = [n for n in ('x', 'y') if n in globals()]", [], ["names"], CancellationToken.None);
        Assert.Equal("[]", left.OutputParameters.Single().Value!.ToJsonString()); // isolated: nothing left behind
    }

    [Fact]
    public async Task ExecuteMany_Interrupted_EndsTheChunk_TheRestDidNotRun()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var request = new ExecutionRequest("import time\ntime.sleep(x)", [], []) { Isolated = true };
        var results = await Worker.ExecuteManyAsync(request, [[new InputValue("x", 30, "integer")], [new InputValue("x", 0, "integer")]], cancel.Token);
        Assert.StartsWith("Execution was interrupted", results[0]!.ErrorMessage, StringComparison.Ordinal);
        Assert.Null(results[1]);
        Assert.True((await Worker.ExecuteAsync("z = 1", [], ["z"], CancellationToken.None)).Success); // the Worker lives on
    }

    [Fact]
    public async Task ExecuteMany_LowersTheWorkersPriority_ForGood()
    {
        var request = new ExecutionRequest("import os\nnice = os.nice(0)", [], [new OutputSpec("nice", "integer")]) { Isolated = true };
        Assert.Equal(0, (await Worker.ExecuteAsync(request, CancellationToken.None)).OutputParameters.Single().Value!.GetValue<int>());
        var chunk = await ExecuteAllAsync(request, [[], []]);
        Assert.All(chunk, r => Assert.Equal(10, r.OutputParameters.Single().Value!.GetValue<int>()));
        var single = await Worker.ExecuteAsync(request, CancellationToken.None);
        Assert.Equal(10, single.OutputParameters.Single().Value!.GetValue<int>()); // a batch worker: the server sends it chunks only
    }

    [Fact]
    public async Task ExecuteMany_ARecordEndingTheInterpreter_EndsTheWorker_NoRecordOfTheChunkHasAResult()
    {
        var request = new ExecutionRequest("import os\nif x == 1: os._exit(3)\ny = x", [], [new OutputSpec("y", "integer")]) { Isolated = true };
        var results = await Worker.ExecuteManyAsync(request, [[new InputValue("x", 0, "integer")], [new InputValue("x", 1, "integer")], [new InputValue("x", 2, "integer")]], CancellationToken.None);
        Assert.All(results, Assert.Null); // which record ended it is not known: each runs again alone (ServicePoolManager)
        Assert.False(Worker.IsAlive);
    }

    /// <summary>The records of one chunk, each with its result.</summary>
    private async Task<ExecutionResult[]> ExecuteAllAsync(ExecutionRequest request, IReadOnlyList<IReadOnlyList<InputValue>> records)
    {
        var results = await Worker.ExecuteManyAsync(request, records, CancellationToken.None);
        Assert.All(results, Assert.NotNull);
        return [.. results.Select(r => r!)];
    }

    [Fact]
    public async Task Fork_TheCopyHasTheTemplatesWorkspaceAndFiles_InADirectoryOfItsOwn()
    {
        await Worker.ExecuteAsync("base = 41\nwith open('model.txt', 'w') as f: f.write('svm')", [], [], CancellationToken.None);
        await using var copy = await Worker.ForkAsync(Path.Combine(WorkingDirectory, ".ferry-copy-a"), CancellationToken.None);
        var result = await copy.ExecuteAsync(
            "y = base + 1\nmodel = open('model.txt').read()\nopen('mine.txt', 'w').write('x')\nbase = 0", [], ["y", "model"], CancellationToken.None);
        Assert.True(result.Success, result.ErrorMessage);
        Assert.Equal(42, result.OutputParameters[0].Value!.GetValue<int>());
        Assert.Equal("svm", result.OutputParameters[1].Value!.GetValue<string>());
        Assert.Equal(["mine.txt"], result.ChangedFiles);
        Assert.True(File.Exists(Path.Combine(WorkingDirectory, ".ferry-copy-a", "mine.txt")));
        Assert.False(File.Exists(Path.Combine(WorkingDirectory, "mine.txt")));

        var template = await Worker.ExecuteAsync("y = base", [], ["y"], CancellationToken.None);
        Assert.Equal(41, template.OutputParameters[0].Value!.GetValue<int>()); // the copy's memory is its own
        await using var second = await Worker.ForkAsync(Path.Combine(WorkingDirectory, ".ferry-copy-b"), CancellationToken.None);
        Assert.Equal(41, (await second.ExecuteAsync("y = base", [], ["y"], CancellationToken.None)).OutputParameters[0].Value!.GetValue<int>());
    }

    [Fact]
    public async Task Fork_TheCopyIsInterrupted_AndDiesAlone()
    {
        var copy = await Worker.ForkAsync(Path.Combine(WorkingDirectory, ".ferry-copy-a"), CancellationToken.None);
        using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            var interrupted = await copy.ExecuteAsync("import time\ntime.sleep(30)", [], [], cancel.Token);
            Assert.StartsWith("Execution was interrupted", interrupted.ErrorMessage, StringComparison.Ordinal);
        }

        Assert.True((await copy.ExecuteAsync("z = 1", [], ["z"], CancellationToken.None)).Success);
        await Assert.ThrowsAsync<WorkerDiedException>(() => copy.ExecuteAsync("import os\nos._exit(3)", [], [], CancellationToken.None));
        Assert.False(copy.IsAlive);
        await copy.DisposeAsync();
        Assert.True(Worker.IsAlive);

        var looping = await Worker.ForkAsync(Path.Combine(WorkingDirectory, ".ferry-copy-b"), CancellationToken.None);
        var loop = looping.ExecuteAsync("while True:\n    pass", [], [], CancellationToken.None);
        await Task.Delay(200);
        await looping.DisposeAsync(); // killed through the template
        await Assert.ThrowsAnyAsync<Exception>(() => loop);
        Assert.True(Worker.IsAlive);
        Assert.True((await Worker.ExecuteAsync("z = 1", [], ["z"], CancellationToken.None)).Success);
    }

    [Fact]
    public async Task Fork_IntoADirectoryOutsideItsOwn_IsRefused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Worker.ForkAsync(Path.Combine(Path.GetTempPath(), ".ferry-copy-x"), CancellationToken.None));
        var refused = await Assert.ThrowsAsync<FerryException>(() => Worker.ForkAsync(Path.Combine(WorkingDirectory, "elsewhere"), CancellationToken.None));
        Assert.Contains(".ferry-copy-", refused.Message, StringComparison.Ordinal);
        Assert.True(Worker.IsAlive);
    }

    protected override async Task<FrameWorker> StartAsync(WorkerOptions options)
    {
        var python = new PythonRuntime(Options.Create(new PythonOptions()));
        var runtime = await python.GetAsync();
        Assert.True(runtime.IsUsable, runtime.Problem);
        return await FrameWorker.StartAsync(python, runtime, TestSandbox.Create(), WorkingDirectory, "tester", options, NullLogger.Instance, TimeProvider.System, CancellationToken.None);
    }
}
