using Ferry.Core.Errors;
using Ferry.Core.Execution;
using Ferry.Execution.Sandboxing;
using Ferry.Execution.Workers;

namespace Ferry.Execution.Processes;

/// <summary>
/// A worker forked inside a template worker's sandbox (<see cref="FrameWorker.ForkAsync"/>). It is
/// not the server's child: it has ended when its channel has, and it is killed through the template
/// that made it (the server sends no signal into a sandbox), or, when the template does not answer,
/// with the template's whole sandbox. <see cref="Id"/> is its pid in the sandbox.
/// </summary>
internal sealed class ForkedProcess(FrameWorker template, int pid) : IWorkerHost
{
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(2);
    private readonly TaskCompletionSource exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int killing;

    public int Id => pid;

    public SandboxLayout Layout => template.Layout;

    public bool HasExited => exited.Task.IsCompleted;

    public string ExitCode => "unknown";

    public string StderrTail() => template.StderrTail();

    public Task WaitForExitAsync(CancellationToken cancellationToken = default) => exited.Task.WaitAsync(cancellationToken);

    public void Kill()
    {
        if (!HasExited && Interlocked.Exchange(ref killing, 1) == 0)
        {
            _ = KillThroughTemplateAsync();
        }
    }

    public void ChannelClosed() => exited.TrySetResult();

    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }

    private async Task KillThroughTemplateAsync()
    {
        try
        {
            await template.KillCopyAsync(pid).WaitAsync(KillTimeout);
        }
        catch (Exception ex) when (ex is WorkerDiedException or FerryException or TimeoutException or IOException or ObjectDisposedException)
        {
            template.KillProcess(); // the template does not answer: its sandbox goes, with every copy in it
        }

        exited.TrySetResult();
    }
}
