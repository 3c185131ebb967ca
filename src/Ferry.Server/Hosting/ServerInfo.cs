using System.Reflection;
using Ferry.Storage;

namespace Ferry.Server.Hosting;

/// <summary>Facts about this server process shown in <c>/status</c>.</summary>
internal sealed class ServerInfo(TimeProvider time, DataDirectory dataDirectory)
{
    public string Version { get; } =
        typeof(ServerInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public string DataDirectory => dataDirectory.Root;
}
