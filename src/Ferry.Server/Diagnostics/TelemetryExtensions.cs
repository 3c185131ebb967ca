using Ferry.Core.Diagnostics;
using Ferry.Server.Hosting;
using Microsoft.AspNetCore.Http.Features;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ferry.Server.Diagnostics;

/// <summary>
/// OpenTelemetry for the web node: Ferry's meter and ASP.NET Core's HTTP metrics exported for Prometheus
/// on a listener of their own (<see cref="MetricsOptions"/>), and Ferry's spans under each request's
/// exported over OTLP when <see cref="TracingOptions.OtlpEndpoint"/> is set.
/// </summary>
internal static class TelemetryExtensions
{
    /// <summary>Adds the metrics listener's addresses to <paramref name="apiUrls"/> (Kestrel's) and registers the exporters.</summary>
    public static void AddFerryTelemetry(this WebApplicationBuilder builder, string apiUrls)
    {
        var metrics = builder.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        var tracing = builder.Configuration.GetSection(TracingOptions.Section).Get<TracingOptions>() ?? new TracingOptions();
        var metricsUrls = Split(metrics.Urls);
        var listener = new MetricsListener(MetricsPorts(metricsUrls, Split(apiUrls)));
        builder.Services.AddSingleton(listener);
        builder.WebHost.UseUrls(string.Join(';', [.. Split(apiUrls), .. metricsUrls]));

        var otlp = string.IsNullOrWhiteSpace(tracing.OtlpEndpoint) ? null : OtlpEndpoint(tracing.OtlpEndpoint);
        if (!listener.Enabled && otlp is null)
        {
            return; // the instruments stay unobserved: recording them costs a flag check
        }

        var version = typeof(ServerInfo).Assembly.GetName().Version?.ToString();
        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService("ferry", serviceVersion: version));
        if (listener.Enabled)
        {
            telemetry.WithMetrics(m => m
                .AddMeter(FerryMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0)); // Prometheus scrapes every few seconds: nothing to save
        }

        if (otlp is not null)
        {
            var protocol = tracing.OtlpProtocol switch
            {
                "grpc" => OtlpExportProtocol.Grpc,
                "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
                var other => throw new InvalidOperationException($"Ferry:Tracing:OtlpProtocol is 'grpc' or 'http/protobuf', not '{other}'."),
            };
            // An endpoint set in code is posted to as it is; over HTTP a collector's base address
            // (http://collector:4318) gets the traces path, as OTEL_EXPORTER_OTLP_ENDPOINT would.
            if (protocol == OtlpExportProtocol.HttpProtobuf && otlp.AbsolutePath == "/")
            {
                otlp = new Uri(otlp, "v1/traces");
            }

            telemetry.WithTracing(t => t
                .AddSource(FerryActivities.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !listener.IsMetricsPort(context))
                .AddOtlpExporter(o =>
                {
                    o.Endpoint = otlp;
                    o.Protocol = protocol;
                }));
        }
    }

    /// <summary>
    /// First in the pipeline: on the metrics listener, <c>/metrics</c> answers (outside the request log, the
    /// HTTP metrics and authentication) and any other path is a 404; elsewhere the request goes on.
    /// </summary>
    public static void UseFerryMetrics(this WebApplication app)
    {
        var listener = app.Services.GetRequiredService<MetricsListener>();
        if (!listener.Enabled)
        {
            return;
        }

        app.UseOpenTelemetryPrometheusScrapingEndpoint(
            meterProvider: null,
            predicate: context => listener.IsMetricsPort(context) && context.Request.Path == MetricsListener.Path,
            path: null,
            configureBranchedPipeline: scrape => scrape.Use((context, next) =>
            {
                if (context.Features.Get<IHttpMetricsTagsFeature>() is { } tags)
                {
                    tags.MetricsDisabled = true; // a scrape is no API request
                }

                return next(context);
            }),
            optionsName: null);
        app.Use((context, next) =>
        {
            if (!listener.IsMetricsPort(context))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }

    private static string[] Split(string? urls) => urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    /// <summary>The metrics listener's ports, each fixed and none the API's: the port is what keeps the two apart.</summary>
    private static HashSet<int> MetricsPorts(string[] metricsUrls, string[] apiUrls)
    {
        var apiPorts = apiUrls.Select(u => BindingAddress.Parse(u)).Where(a => !a.IsUnixPipe).Select(a => a.Port).ToHashSet();
        var ports = new HashSet<int>();
        foreach (var url in metricsUrls)
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException ex)
            {
                throw new InvalidOperationException($"Ferry:Metrics:Urls: '{url}' is no URL ({ex.Message}).", ex);
            }

            if (address.IsUnixPipe || address.Port <= 0 || apiPorts.Contains(address.Port))
            {
                throw new InvalidOperationException(
                    $"Ferry:Metrics:Urls: '{url}' needs a fixed TCP port of its own (not 0 and none the API listens on, {string.Join(", ", apiPorts)}); leave the setting empty to export no metrics.");
            }

            ports.Add(address.Port);
        }

        return ports;
    }

    private static Uri OtlpEndpoint(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new InvalidOperationException($"Ferry:Tracing:OtlpEndpoint must be an http(s) URL, not '{endpoint}'.");
}
