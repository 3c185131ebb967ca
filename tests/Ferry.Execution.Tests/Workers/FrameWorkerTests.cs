using Ferry.Core.Errors;
using Ferry.Core.Execution;
using Ferry.Execution.Workers;

namespace Ferry.Execution.Tests.Workers;

/// <summary>
/// What every runtime's worker owes the frame protocol, whatever its language: pipelined calls,
/// startBy, cancelling a call written behind another, death. Each runtime's tests inherit these and
/// say them in their own language.
/// </summary>
public abstract class FrameWorkerTests : IAsyncLifetime
{
    protected string WorkingDirectory { get; } = Path.Combine(Path.GetTempPath(), "ferry-worker-tests", Guid.NewGuid().ToString("N"));

    protected FrameWorker Worker { get; private set; } = null!;

    /// <summary>Sleeps a millisecond, then sets y to twice the integer input x.</summary>
    protected abstract string SleepThenDouble { get; }

    /// <summary>Creates the empty file 'ran' in the working directory.</summary>
    protected abstract string TouchRan { get; }

    protected abstract string SleepOneSecondThenSetFirst { get; }

    protected abstract string LoopForever { get; }

    /// <summary>Sleeps 0.3 s, then ends the worker with exit code 3.</summary>
    protected abstract string SleepThenExitWith3 { get; }

    protected abstract string AssignX { get; }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(WorkingDirectory);
        Worker = await StartAsync(new WorkerOptions { ExecutionTimeout = TimeSpan.FromSeconds(30), MemoryLimitMb = 2048 });
    }

    public async Task DisposeAsync()
    {
        await Worker.DisposeAsync();
        Directory.Delete(WorkingDirectory, recursive: true);
    }

    /// <summary>Starts a worker of the runtime under test in <see cref="WorkingDirectory"/>.</summary>
    protected abstract Task<FrameWorker> StartAsync(WorkerOptions options);

    [Fact]
    public async Task Pipelined_CallsWrittenTogether_AreAnsweredInOrderWithTheirOwnInputs()
    {
        Assert.False(Worker.IsQuick(TimeSpan.FromSeconds(1))); // no call answered yet
        var calls = Enumerable.Range(0, 40).Select(x => Worker.ExecuteAsync(
            new ExecutionRequest(SleepThenDouble, [new InputValue("x", x, "integer")], [new OutputSpec("y", "integer")]) { Isolated = true },
            CancellationToken.None)).ToList();
        Assert.True(Worker.Pending > 1, "The calls were not written behind one another.");
        var results = await Task.WhenAll(calls);
        Assert.Equal(Enumerable.Range(0, 40).Select(x => x * 2), results.Select(r => r.OutputParameters.Single().Value!.GetValue<int>()));
        Assert.Equal(0, Worker.Pending);
        Assert.True(Worker.IsQuick(TimeSpan.FromSeconds(1)));
        Assert.False(Worker.IsQuick(TimeSpan.Zero));
    }

    [Fact]
    public async Task StartBy_Passed_IsRefusedUnrun_OtherwiseRuns()
    {
        var late = await Assert.ThrowsAsync<FerryException>(() => Worker.ExecuteAsync(
            new ExecutionRequest(TouchRan, [], []) { StartBy = System.Diagnostics.Stopwatch.GetTimestamp() - 1 }, CancellationToken.None));
        Assert.Equal(FerryErrorKind.Unavailable, late.Kind);
        Assert.Contains("did not run", late.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(WorkingDirectory, "ran")));

        var inTime = await Worker.ExecuteAsync(
            new ExecutionRequest(TouchRan, [], []) { StartBy = System.Diagnostics.Stopwatch.GetTimestamp() + System.Diagnostics.Stopwatch.Frequency * 10 }, CancellationToken.None);
        Assert.True(inTime.Success, inTime.ErrorMessage);
        Assert.True(File.Exists(Path.Combine(WorkingDirectory, "ran")));
    }

    [Fact]
    public async Task Cancel_CallWrittenBehind_LeavesTheRunningCallAlone_AndIsInterruptedAsItStarts()
    {
        var running = Worker.ExecuteAsync(SleepOneSecondThenSetFirst, [], ["first"], CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var behind = Worker.ExecuteAsync(LoopForever, [], [], cancel.Token);
        await cancel.CancelAsync(); // it is not running yet: the running call goes on
        var first = await running;
        Assert.True(first.Success, first.ErrorMessage);

        var second = await behind.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(second.Success);
        Assert.Contains("interrupted", second.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerDies_TheRunningCallFails_CallsBehindItFailAsNotStarted()
    {
        var dying = Worker.ExecuteAsync(SleepThenExitWith3, [], [], CancellationToken.None);
        var behind = Enumerable.Range(0, 3).Select(_ => Worker.ExecuteAsync(TouchRan, [], [], CancellationToken.None)).ToList();
        var died = await Assert.ThrowsAsync<WorkerDiedException>(() => dying);
        Assert.False(died.NotStarted);
        Assert.Contains("exit code 3", died.Message, StringComparison.Ordinal);
        foreach (var call in behind)
        {
            Assert.True((await Assert.ThrowsAsync<WorkerDiedException>(() => call)).NotStarted);
        }

        Assert.False(File.Exists(Path.Combine(WorkingDirectory, "ran")));
        Assert.True((await Assert.ThrowsAsync<WorkerDiedException>(() => Worker.ExecuteAsync(AssignX, [], [], CancellationToken.None))).NotStarted);
    }
}
