using System.Globalization;

namespace Ferry.Execution.Processes;

/// <summary>The CPUs this process may run on (its affinity, as Linux lists it in <c>/proc/self/status</c>).</summary>
internal static class CpuSet
{
    /// <summary>The CPU numbers in ascending order; empty where the kernel does not say.</summary>
    public static IReadOnlyList<int> Allowed()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))
                {
                    return Parse(line["Cpus_allowed_list:".Length..]);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return [];
    }

    /// <summary>A Linux CPU list such as <c>0-3,8,10-11</c>; empty if it is not one.</summary>
    public static IReadOnlyList<int> Parse(string list)
    {
        var cpus = new SortedSet<int>();
        foreach (var part in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = part.Split('-');
            if (bounds.Length is < 1 or > 2
                || !int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                || !int.TryParse(bounds[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
                || last < first || last - first > 4096)
            {
                return [];
            }

            for (var cpu = first; cpu <= last; cpu++)
            {
                cpus.Add(cpu);
            }
        }

        return [.. cpus];
    }
}
