using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace Ferry.Core.Auth;

/// <summary>
/// Slows password guessing without handing attackers a lockout weapon: failures count per (user
/// name, client address), so guessing admin's password from one address locks out that address
/// only, and per address across all names, so one address cannot spray names either. Kept per web
/// node, in memory, and bounded: at most <see cref="MaxTracked"/> keys of a few timestamps each.
/// </summary>
public sealed class LoginThrottle(IOptions<AuthOptions> options, TimeProvider time)
{
    /// <summary>The most (name, address) and address keys remembered; beyond it the oldest-looking are dropped.</summary>
    public const int MaxTracked = 20_000;

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> failures = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Keys remembered now (bounded by about <see cref="MaxTracked"/>).</summary>
    public int TrackedKeys => failures.Count;

    /// <summary>How long the caller must wait before trying this name from this address; null when it may try now.</summary>
    public TimeSpan? RetryAfter(string userName, string address)
    {
        var o = options.Value;
        var forName = Wait(PairKey(userName, address), o.MaxFailedLogins);
        var forAddress = Wait(AddressKey(address), o.MaxFailedLoginsPerAddress);
        return forName is null ? forAddress : forAddress is null ? forName : forName > forAddress ? forName : forAddress;
    }

    public void RecordFailure(string userName, string address)
    {
        if (failures.Count >= MaxTracked)
        {
            Sweep();
        }

        var o = options.Value;
        Add(PairKey(userName, address), o.MaxFailedLogins);
        Add(AddressKey(address), o.MaxFailedLoginsPerAddress);
    }

    /// <summary>A right password clears that name's failures from that address; the address's count stays.</summary>
    public void RecordSuccess(string userName, string address) => failures.TryRemove(PairKey(userName, address), out _);

    /// <summary>
    /// The unit an address is throttled by: an IPv4 address, or an IPv6 /64 (one host commonly
    /// holds a whole /64, so its single addresses cost an attacker nothing).
    /// </summary>
    public static string ClientKey(IPAddress? address)
    {
        if (address is null)
        {
            return "local";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }

        return address.ToString();
    }

    private static string PairKey(string userName, string address) => $"{address}\n{userName}";

    private static string AddressKey(string address) => address;

    private TimeSpan? Wait(string key, int limit)
    {
        if (!failures.TryGetValue(key, out var queue))
        {
            return null;
        }

        lock (queue)
        {
            var now = time.GetUtcNow();
            Prune(queue, now);
            return queue.Count >= limit ? queue.Peek() + options.Value.FailedLoginWindow - now : null;
        }
    }

    private void Add(string key, int limit)
    {
        var queue = failures.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
        lock (queue)
        {
            var now = time.GetUtcNow();
            Prune(queue, now);
            queue.Enqueue(now);
            while (queue.Count > limit)
            {
                queue.Dequeue(); // only the last 'limit' failures decide when the key may try again
            }
        }
    }

    // Many made-up names or addresses must not grow memory without bound: drop keys whose failures
    // aged out, then, if a flood still fills the table, arbitrary ones (throttling weakens; memory holds).
    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var (key, queue) in failures)
        {
            lock (queue)
            {
                Prune(queue, now);
                if (queue.Count == 0)
                {
                    failures.TryRemove(key, out _);
                }
            }
        }

        foreach (var key in failures.Keys)
        {
            if (failures.Count < MaxTracked * 3 / 4)
            {
                break;
            }

            failures.TryRemove(key, out _);
        }
    }

    private void Prune(Queue<DateTimeOffset> queue, DateTimeOffset now)
    {
        while (queue.Count > 0 && queue.Peek() + options.Value.FailedLoginWindow <= now)
        {
            queue.Dequeue();
        }
    }
}
