namespace Ferry.Server.Diagnostics;

/// <summary>Trace export (section <c>Ferry:Tracing</c>).</summary>
public sealed class TracingOptions
{
    public const string Section = "Ferry:Tracing";

    /// <summary>An OTLP collector, e.g. <c>http://127.0.0.1:4317</c>; when empty, no trace is exported.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (the default, port 4317) or <c>http/protobuf</c> (port 4318: the collector's base address, to which <c>/v1/traces</c> is added, or a full URL).</summary>
    public string OtlpProtocol { get; set; } = "grpc";
}
