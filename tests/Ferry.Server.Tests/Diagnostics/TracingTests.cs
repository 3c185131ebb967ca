using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Ferry.Core.Diagnostics;
using Ferry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Ferry.Server.Tests.Diagnostics;

/// <summary>
/// A consume call is one trace: ASP.NET Core's request span with Ferry's spans for authentication, the
/// pool wait and the worker call under it. The test listens in-process and follows its own trace id
/// (sent as <c>traceparent</c>), so other tests' requests do not count.
/// </summary>
public sealed class TracingTests(TracingTests.TracingFactory factory) : IClassFixture<TracingTests.TracingFactory>
{
    [Fact]
    public async Task Consume_IsOneTrace_WithAuthenticationPoolWaitAndWorkerCallUnderTheRequest()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = "trace" + Guid.NewGuid().ToString("N")[..8];
        using (var published = await client.PostAsJsonAsync($"/services/{name}/v1", new
        {
            code = "y = x * 2",
            runtimeType = "Python",
            inputParameterDefinitions = new[] { new { name = "x", type = "integer" } },
            outputParameterDefinitions = new[] { new { name = "y", type = "integer" } },
        }))
        {
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        }

        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is FerryActivities.SourceName or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/{name}/v1") { Content = JsonContent.Create(new { x = 21 }) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using (var response = await client.SendAsync(request))
        {
            Assert.Equal(42, (await HttpAssert.OkJsonAsync(response)).GetProperty("outputParameters").GetProperty("y").GetInt32());
        }

        // The request's span stops once the response is written, perhaps just after the client has it.
        Activity? root = null;
        for (var i = 0; i < 100 && (root = stopped.FirstOrDefault(a => a.TraceId == traceId && a.Source.Name == "Microsoft.AspNetCore")) is null; i++)
        {
            await Task.Delay(50);
        }

        Assert.NotNull(root);
        var spans = stopped.Where(a => a.TraceId == traceId && a != root).ToList();
        Assert.Equal([FerryActivities.Authenticate, FerryActivities.PoolWait, FerryActivities.WorkerCall], spans.Select(s => s.OperationName).Order(StringComparer.Ordinal));
        Assert.All(spans, s => Assert.Equal(root.SpanId, s.ParentSpanId));
        var call = spans.Single(s => s.OperationName == FerryActivities.WorkerCall);
        Assert.Equal(name, call.GetTagItem(FerryMetrics.ServiceNameTag));
        Assert.Equal("v1", call.GetTagItem(FerryMetrics.ServiceVersionTag));
        Assert.True(spans.Single(s => s.OperationName == FerryActivities.PoolWait).StartTimeUtc <= call.StartTimeUtc);
    }

    /// <summary>
    /// A real <c>ferry serve</c> exporting over OTLP/HTTP to a receiver listening here: the spans of a consume
    /// call arrive at the collector's <c>/v1/traces</c> though only its base address was configured.
    /// </summary>
    [Fact]
    public async Task OtlpOverHttp_ConsumeCall_ItsSpansReachTheCollector()
    {
        using var collector = new HttpListener();
        var port = FerryProcess.FreePort();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        var receiving = Task.Run(async () =>
        {
            while (collector.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await collector.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
                context.Response.ContentType = "application/x-protobuf"; // an empty ExportTraceServiceResponse
                context.Response.Close();
            }
        });

        var dataDirectory = TestDirectory.Create();
        try
        {
            const string Password = "secret-password";
            await using (var server = await FerryProcess.ServeAsync(
                dataDirectory, Password, $"--Ferry:Tracing:OtlpEndpoint=http://127.0.0.1:{port}", "--Ferry:Tracing:OtlpProtocol=http/protobuf"))
            {
                using var client = await server.LoggedInClientAsync("admin", Password);
                var name = "otlp" + Guid.NewGuid().ToString("N")[..8];
                using (var published = await client.PostAsJsonAsync($"/services/{name}/v1", new
                {
                    code = "y = x * 2",
                    runtimeType = "Python",
                    inputParameterDefinitions = new[] { new { name = "x", type = "integer" } },
                    outputParameterDefinitions = new[] { new { name = "y", type = "integer" } },
                }))
                {
                    Assert.Equal(HttpStatusCode.Created, published.StatusCode);
                }

                using (var consumed = await client.PostAsJsonAsync($"/api/{name}/v1", new { x = 21 }))
                {
                    Assert.Equal(42, (await HttpAssert.OkJsonAsync(consumed)).GetProperty("outputParameters").GetProperty("y").GetInt32());
                }

                // The batch exporter sends every 5 s; the spans are protobuf, their names and tags plain UTF-8 in it.
                string[] wanted = [FerryActivities.Authenticate, FerryActivities.PoolWait, FerryActivities.WorkerCall, name];
                var deadline = Stopwatch.StartNew();
                while (deadline.Elapsed < TimeSpan.FromSeconds(60) && !wanted.All(w => received.Any(r => Contains(r.Body, w))))
                {
                    await Task.Delay(200);
                }

                Assert.All(wanted, w => Assert.Contains(received, r => Contains(r.Body, w)));
                Assert.All(received, r => Assert.Equal("/v1/traces", r.Path));
            }
        }
        finally
        {
            collector.Stop();
            await receiving;
            TestDirectory.TryDelete(dataDirectory);
        }
    }

    [Fact]
    public void OtlpEndpoint_Set_RegistersATracerProvider()
    {
        Assert.NotNull(factory.Services.GetService<TracerProvider>());
    }

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text)) >= 0;

    /// <summary>A server that exports traces over OTLP (to a collector that is not there: export fails quietly in the background).</summary>
    public sealed class TracingFactory : FerryFactory
    {
        public TracingFactory()
            : base(TestDirectory.Create(), new Dictionary<string, string?> { ["Ferry:Tracing:OtlpEndpoint"] = "http://127.0.0.1:9" })
        {
        }
    }
}
