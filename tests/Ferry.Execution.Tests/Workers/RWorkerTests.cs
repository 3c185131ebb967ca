using Ferry.Core.Execution;
using System.Text.Json.Nodes;
using Ferry.Execution.Runtimes.Python;
using Ferry.Execution.Runtimes.R;
using Ferry.Execution.Tests.Sandboxing;
using Ferry.Core.Errors;
using Ferry.Execution.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ferry.Execution.Tests.Workers;

/// <summary>The real R Worker (ferry_worker.R behind ferry_relay.py) over its real pipes: PythonWorkerTests for R.</summary>
public sealed class RWorkerTests : FrameWorkerTests
{
    protected override string SleepThenDouble => "Sys.sleep(0.001)\ny <- x * 2";

    protected override string TouchRan => "file.create('ran')";

    protected override string SleepOneSecondThenSetFirst => "Sys.sleep(1)\nfirst <- 1";

    protected override string LoopForever => "while (TRUE) Sys.sleep(0.05)";

    protected override string SleepThenExitWith3 => "Sys.sleep(0.3)\nquit(save = 'no', status = 3)";

    protected override string AssignX => "x <- 1";

    [Fact]
    public async Task Execute_ConsoleOutput_IsWhatRPrints()
    {
        var result = await Worker.ExecuteAsync("x <- 2; x + 3", [], [], CancellationToken.None);
        Assert.True(result.Success, result.ErrorMessage);
        Assert.Equal("[1] 5\n", result.ConsoleOutput);
    }

    [Fact]
    public async Task Execute_DeclaredTypes_ConvertInputsBothWays()
    {
        var result = await Worker.ExecuteAsync(
            new ExecutionRequest(
                "kinds <- c(class(i), class(n), class(flag), class(s), class(v), class(m)[1], class(df))\nshape <- dim(m)\ntwice <- i * 2L\ntotal <- sum(v) + n\nnot_flag <- !flag\nlabel <- paste0(s, '!')\nm2 <- m * 2\nback <- df\nframe <- data.frame(x = c(1L, 2L), y = c('p', 'q'))",
                [
                    new InputValue("i", JsonValue.Create(3), "integer"),
                    new InputValue("n", JsonValue.Create(2), "numeric"),
                    new InputValue("flag", JsonValue.Create(true), "logical"),
                    new InputValue("s", JsonValue.Create("virginica"), "character"),
                    new InputValue("v", JsonNode.Parse("[1, 2, 3.5]"), "vector"),
                    new InputValue("m", JsonNode.Parse("[[1, 2], [3, 4], [5, 6]]"), "matrix"),
                    new InputValue("df", JsonNode.Parse("{\"a\": [1, 2], \"b\": [\"p\", \"q\"]}"), "data.frame"),
                ],
                [
                    new OutputSpec("kinds"), new OutputSpec("shape", "vector"), new OutputSpec("twice", "integer"), new OutputSpec("total", "numeric"),
                    new OutputSpec("not_flag", "logical"), new OutputSpec("label", "character"), new OutputSpec("m2", "matrix"),
                    new OutputSpec("back", "data.frame"), new OutputSpec("frame", "data.frame"),
                ]),
            CancellationToken.None);
        Assert.True(result.Success, result.ErrorMessage + result.ConsoleOutput);
        var values = result.OutputParameters.ToDictionary(o => o.Name, o => o.Value!.ToJsonString());
        Assert.Equal("[\"integer\",\"numeric\",\"logical\",\"character\",\"numeric\",\"matrix\",\"data.frame\"]", values["kinds"]);
        Assert.Equal("[3,2]", values["shape"]);
        Assert.Equal("6", values["twice"]);
        Assert.Equal("8.5", values["total"]);
        Assert.Equal("false", values["not_flag"]);
        Assert.Equal("\"virginica!\"", values["label"]); // the whole string
        Assert.Equal("[[2,4],[6,8],[10,12]]", values["m2"]); // row-major, as it came
        Assert.Equal("{\"a\":[1,2],\"b\":[\"p\",\"q\"]}", values["back"]); // data frames travel column-oriented
        Assert.Equal("{\"x\":[1,2],\"y\":[\"p\",\"q\"]}", values["frame"]);

        var mistyped = await Worker.ExecuteAsync(new ExecutionRequest("x <- 1.5", [], [new OutputSpec("x", "integer")]), CancellationToken.None);
        Assert.False(mistyped.Success);
        Assert.Contains("Output 'x' could not be encoded as integer", mistyped.ErrorMessage, StringComparison.Ordinal);

        var badInput = await Worker.ExecuteAsync(new ExecutionRequest("y <- x", [new InputValue("x", JsonValue.Create("five"), "integer")], []), CancellationToken.None);
        Assert.False(badInput.Success);
        Assert.Contains("Input 'x' is not an integer", badInput.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_Untyped_ConvertsVectorsListsAndScalars()
    {
        var result = await Worker.ExecuteAsync(
            "total <- sum(v)\nn <- length(v)\nparts <- list(name = s, size = 2L)\nm <- matrix(1:4, 2, byrow = TRUE)",
            [("v", JsonNode.Parse("[7, 3.2, 4.7, 1.4]")), ("s", JsonValue.Create("hi"))],
            ["total", "n", "parts", "m"],
            CancellationToken.None);
        Assert.True(result.Success, result.ErrorMessage);
        var values = result.OutputParameters.ToDictionary(o => o.Name, o => o.Value!.ToJsonString());
        Assert.Equal("16.3", values["total"]);
        Assert.Equal("4", values["n"]);
        Assert.Equal("{\"name\":\"hi\",\"size\":2}", values["parts"]);
        Assert.Equal("[[1,2],[3,4]]", values["m"]);
    }

    [Fact]
    public async Task Execute_UserError_IsFailureWithRsMessageAndWorkerLives()
    {
        var result = await Worker.ExecuteAsync("print('before')\nf <- function() stop('boom')\nf()", [], [], CancellationToken.None);
        Assert.False(result.Success);
        Assert.Equal("Error in f() : boom", result.ErrorMessage);
        Assert.Contains("[1] \"before\"", result.ConsoleOutput, StringComparison.Ordinal);
        Assert.Contains("Error in f() : boom", result.ConsoleOutput, StringComparison.Ordinal);

        var next = await Worker.ExecuteAsync("x <- 1", [], ["x"], CancellationToken.None);
        Assert.True(next.Success);
    }

    [Fact]
    public async Task Execute_OutputNotEncodable_NamesIt()
    {
        var result = await Worker.ExecuteAsync("o <- new.env()", [], ["o", "missing"], CancellationToken.None);
        Assert.False(result.Success);
        Assert.Contains("Output 'o' could not be encoded", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("Output 'missing' was not defined", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_WritesFiles_ReportsChangedFiles()
    {
        await File.WriteAllTextAsync(Path.Combine(WorkingDirectory, "old.txt"), "x");
        var result = await Worker.ExecuteAsync("cat('a,b', file = 'new.csv')", [], [], CancellationToken.None);
        Assert.True(result.Success, result.ErrorMessage);
        Assert.Equal(["new.csv"], result.ChangedFiles);
    }

    [Fact]
    public async Task Interrupt_SleepingLoop_StopsExecutionAndKeepsState()
    {
        await Worker.ExecuteAsync("kept <- 42", [], [], CancellationToken.None);
        var running = Worker.ExecuteAsync("while (TRUE) Sys.sleep(0.05)", [], [], CancellationToken.None);
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
    public async Task Interrupt_LongSleep_EndsIt()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var running = Worker.ExecuteAsync("Sys.sleep(30)", [], [], CancellationToken.None);
        await Task.Delay(300);
        while (!Worker.Interrupt())
        {
            await Task.Delay(20);
        }

        var result = await running;
        Assert.False(result.Success);
        Assert.Contains("interrupted", result.ErrorMessage, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"Sys.sleep(30) was not cut short: {started.Elapsed}");
        Assert.True((await Worker.ExecuteAsync("ok <- 1", [], ["ok"], CancellationToken.None)).Success);
    }

    [Fact]
    public async Task Execute_PastTimeout_IsInterrupted()
    {
        await using var quick = await StartAsync(new WorkerOptions { ExecutionTimeout = TimeSpan.FromMilliseconds(500) });
        var result = await quick.ExecuteAsync("Sys.sleep(30)", [], [], CancellationToken.None);
        Assert.False(result.Success);
        Assert.Contains("time limit", result.ErrorMessage, StringComparison.Ordinal);
        Assert.True(quick.IsAlive);
        Assert.True((await quick.ExecuteAsync("ok <- 1", [], ["ok"], CancellationToken.None)).Success);
    }

    [Fact]
    public async Task Execute_WorkerExits_GivesClearErrorThenStaysDead()
    {
        var error = await Assert.ThrowsAsync<WorkerDiedException>(() => Worker.ExecuteAsync("quit(save = 'no', status = 1)", [], [], CancellationToken.None));
        Assert.Contains("exit code 1", error.Message, StringComparison.Ordinal);
        Assert.False(Worker.IsAlive);
        await Assert.ThrowsAsync<WorkerDiedException>(() => Worker.ExecuteAsync("x <- 1", [], [], CancellationToken.None));
    }

    [Fact]
    public async Task Execute_OverMemoryLimit_FailsCleanly()
    {
        await using var small = await StartAsync(new WorkerOptions { MemoryLimitMb = 1024 });
        var result = await small.ExecuteAsync("big <- numeric(2 * 1024^3 / 8)", [], [], CancellationToken.None);
        Assert.False(result.Success);
        Assert.StartsWith("Error", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("cannot allocate", result.ErrorMessage, StringComparison.Ordinal);
        Assert.True((await small.ExecuteAsync("ok <- 1", [], ["ok"], CancellationToken.None)).Success);
    }

    [Fact]
    public async Task Execute_Isolated_LeavesNoVariablesAndReturnsOutputFiles()
    {
        await Worker.ExecuteAsync("base <- 10", [], [], CancellationToken.None);
        var result = await Worker.ExecuteAsync(
            new ExecutionRequest("leak <- base + x\ncat(leak, file = 'plot.txt')", [new InputValue("x", JsonValue.Create(1))], [new OutputSpec("leak")])
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
    public async Task SaveAndLoadWorkspace_CarriesModelsAndFunctions()
    {
        var train = await Worker.ExecuteAsync(
            "model <- lm(mpg ~ wt, data = mtcars)\nlabel <- function(v) if (v > 20) 'thrifty' else 'thirsty'",
            [], [], CancellationToken.None);
        Assert.True(train.Success, train.ErrorMessage);
        var saved = Path.Combine(WorkingDirectory, "..", Guid.NewGuid().ToString("N") + ".RData");
        try
        {
            await Worker.SaveWorkspaceAsync(saved, CancellationToken.None);
            await using var fresh = await StartAsync(new WorkerOptions());
            await fresh.LoadWorkspaceAsync(saved, CancellationToken.None);
            var result = await fresh.ExecuteAsync("mpg <- unname(predict(model, data.frame(wt = 2)))\nkind <- label(mpg)", [], ["mpg", "kind"], CancellationToken.None);
            Assert.True(result.Success, result.ErrorMessage + result.ConsoleOutput);
            Assert.Equal(26.596, result.OutputParameters[0].Value!.GetValue<double>(), 1e-3);
            Assert.Equal("\"thrifty\"", result.OutputParameters[1].Value!.ToJsonString());
            Assert.Equal(["kind", "label", "model", "mpg"], await fresh.ListObjectsAsync(CancellationToken.None));
        }
        finally
        {
            File.Delete(saved);
        }
    }

    [Fact]
    public async Task WorkspaceObject_RoundTripsSerializeBytes_MissingOrBadBytes_AreNamedErrors()
    {
        await Worker.ExecuteAsync("w <- list(a = 1:3, f = function(v) v + 1)", [], [], CancellationToken.None);
        var bytes = await Worker.GetObjectAsync("w", CancellationToken.None);
        Assert.Equal("X\n"u8.ToArray(), bytes[..2]); // serialize()'s XDR format
        await Worker.SetObjectAsync("copy", bytes, CancellationToken.None);
        var result = await Worker.ExecuteAsync("y <- copy$f(sum(copy$a))", [], ["y"], CancellationToken.None);
        Assert.True(result.Success, result.ErrorMessage);
        Assert.Equal("7", result.OutputParameters.Single().Value!.ToJsonString());

        var missing = await Assert.ThrowsAsync<FerryException>(() => Worker.GetObjectAsync("nope", CancellationToken.None));
        Assert.Equal(FerryErrorKind.NotFound, missing.Kind);
        var bad = await Assert.ThrowsAsync<FerryException>(() => Worker.SetObjectAsync("x", [1, 2, 3], CancellationToken.None));
        Assert.Equal(FerryErrorKind.BadRequest, bad.Kind);
        Assert.True(Worker.IsAlive);
    }

    protected override async Task<FrameWorker> StartAsync(WorkerOptions options)
    {
        var r = new RRuntime(new PythonRuntime(Options.Create(new PythonOptions())));
        var runtime = await r.GetAsync();
        Assert.True(runtime.IsUsable, runtime.Problem);
        return await FrameWorker.StartAsync(r, runtime, TestSandbox.Create(), WorkingDirectory, "tester", options, NullLogger.Instance, TimeProvider.System, CancellationToken.None);
    }
}
