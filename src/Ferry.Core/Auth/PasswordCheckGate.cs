using Ferry.Core.Errors;
using Microsoft.Extensions.Options;

namespace Ferry.Core.Auth;

/// <summary>
/// Bounds the password checks (PBKDF2: about 100 ms of one core each) running at once, and those
/// waiting for a turn; a login beyond both gets 429 at once, so a login flood costs the server a
/// bounded share of its cores and no memory.
/// </summary>
public sealed class PasswordCheckGate(IOptions<AuthOptions> options) : IDisposable
{
    private readonly SemaphoreSlim running = new(Math.Max(1, options.Value.MaxConcurrentPasswordChecks));
    private int admitted;

    public async Task<bool> CheckAsync(Func<bool> check, CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (Interlocked.Increment(ref admitted) > Math.Max(1, o.MaxConcurrentPasswordChecks) + Math.Max(0, o.MaxQueuedPasswordChecks))
        {
            Interlocked.Decrement(ref admitted);
            throw FerryException.TooManyRequests("The server is busy checking other logins; try again in a moment.", TimeSpan.FromSeconds(1));
        }

        try
        {
            await running.WaitAsync(cancellationToken);
            try
            {
                return check();
            }
            finally
            {
                running.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref admitted);
        }
    }

    public void Dispose() => running.Dispose();
}
