using System.Globalization;
using Ferry.Core.Execution;

namespace Ferry.Server.WebServices;

/// <summary>
/// The W3C <c>Server-Timing</c> value of a consume answer: <c>queue;dur=…</c>, then <c>batch;dur=…;desc="n"</c>
/// (a realtime run of n calls) or <c>worker;dur=…</c>, and <c>total;dur=…</c>, in milliseconds.
/// </summary>
internal static class ServerTiming
{
    public static string Of(ExecutionTiming? timing, TimeSpan total)
    {
        var end = $"total;dur={Ms(total)}";
        return timing switch
        {
            null => end,
            { Batched: true } => $"queue;dur={Ms(timing.Queue)}, batch;dur={Ms(timing.Run)};desc=\"{timing.BatchSize.ToString(CultureInfo.InvariantCulture)}\", {end}",
            _ => $"queue;dur={Ms(timing.Queue)}, worker;dur={Ms(timing.Run)}, {end}",
        };
    }

    private static string Ms(TimeSpan duration) => duration.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
}
