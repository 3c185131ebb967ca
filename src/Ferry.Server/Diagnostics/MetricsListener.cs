namespace Ferry.Server.Diagnostics;

/// <summary>
/// The ports of the metrics listener. A request is told apart by the port it came in on, never by its
/// Host header (which the caller writes): there <c>/metrics</c> answers and nothing else does, and
/// <c>/metrics</c> is not served on the API's ports.
/// </summary>
internal sealed class MetricsListener(IReadOnlyCollection<int> ports)
{
    public const string Path = "/metrics";

    private readonly int[] ports = [.. ports];

    public bool Enabled => ports.Length > 0;

    public bool IsMetricsPort(HttpContext context) => ports.AsSpan().Contains(context.Connection.LocalPort);
}
