using System.Net;
using System.Net.Http.Json;
using Ferry.Server.Diagnostics;
using Ferry.Server.Tests.Batches;
using Ferry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Ferry.Server.Tests.Diagnostics;

/// <summary>
/// <c>/metrics</c> on a real server (Kestrel, its own loopback listener): after a known sequence of calls
/// the exported counts are exactly those calls, and the API and the metrics never answer on each other's port.
/// </summary>
public sealed class MetricsTests
{
    private const string Password = "secret-password";

    [Fact]
    public async Task Metrics_AfterAKnownSequence_CountEachCallByOutcome()
    {
        var dataDirectory = TestDirectory.Create();
        try
        {
            await using var server = await FerryProcess.ServeAsync(dataDirectory, Password, "--Ferry:Auth:MaxFailedLogins=2");
            using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };
            for (var i = 0; i < 3; i++)
            {
                // Two wrong passwords, then the throttle's 429 (which is no failure of its own).
                using var refused = await anonymous.PostAsJsonAsync("/login", new { username = "nobody", password = "wrong-password" });
                Assert.Equal(i < 2 ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests, refused.StatusCode);
            }

            using var client = await server.LoggedInClientAsync("admin", Password);
            var name = "m" + Guid.NewGuid().ToString("N")[..8];
            using (var published = await client.PostAsJsonAsync($"/services/{name}/v1", new
            {
                code = "import os\nif x == -9:\n    os._exit(9)\nif x < 0:\n    raise ValueError('negative')\ny = x * 2",
                runtimeType = "Python",
                inputParameterDefinitions = new[] { new { name = "x", type = "integer" } },
                outputParameterDefinitions = new[] { new { name = "y", type = "integer" } },
            }))
            {
                Assert.Equal(HttpStatusCode.Created, published.StatusCode);
            }

            foreach (var x in new[] { 1, 2, 3, 4, 5 })
            {
                Assert.True(await SucceedsAsync(client, name, x));
            }

            Assert.False(await SucceedsAsync(client, name, -1));
            Assert.False(await SucceedsAsync(client, name, -2));
            Assert.False(await SucceedsAsync(client, name, -9)); // kills its worker: a failure, and a restart
            using (var bad = await client.PostAsJsonAsync($"/api/{name}/v1", new { z = 1 }))
            {
                Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            }

            var batch = await BatchApi.StartAsync(client, $"{name}/v1", new[] { new { x = 1 }, new { x = 2 }, new { x = 3 } });
            Assert.Equal("complete", (await BatchApi.CompleteAsync(client, $"{name}/v1", batch)).State());
            var session = await SessionApi.CreateAsync(client);

            var metrics = await ScrapeAsync(server);
            var service = new[] { $"ferry_service_name={name}", "ferry_service_version=v1" };
            Assert.Equal(5, metrics.Sum("ferry_service_calls_total", [.. service, "ferry_service_outcome=success"]));
            Assert.Equal(3, metrics.Sum("ferry_service_calls_total", [.. service, "ferry_service_outcome=failure"]));
            Assert.Equal(1, metrics.Sum("ferry_service_calls_total", [.. service, "ferry_service_outcome=error"]));
            Assert.Equal(9, metrics.Sum("ferry_service_call_duration_seconds_count", service));
            Assert.Equal(9, metrics.Sum("ferry_service_call_duration_seconds_bucket", [.. service, "le=+Inf"]));
            Assert.Equal(1, metrics.Sum("ferry_worker_restarts_total", service));
            Assert.Equal(3, metrics.Sum("ferry_batch_records_total", service));
            Assert.Equal(2, metrics.Sum("ferry_auth_login_failures_total"));
            Assert.Equal(1, metrics.Sum("ferry_auth_login_throttled_total", "ferry_auth_throttle_reason=failed_logins"));
            Assert.Equal(1, metrics.Sum("ferry_sessions_open"));

            // The pool's gauges, by worker state, and its queue (empty now).
            foreach (var state in new[] { "starting", "idle", "busy" })
            {
                Assert.True(metrics.Has("ferry_pool_workers", [.. service, $"ferry_worker_state={state}"]), metrics.Text);
            }

            Assert.InRange(metrics.Sum("ferry_pool_workers", service), 1, 16);
            Assert.True(metrics.Has("ferry_pool_queued_calls", service));
            Assert.Equal(0, metrics.Sum("ferry_pool_queued_calls", service));

            // ASP.NET Core's request duration, by route template (never the raw path with the service's name in it).
            Assert.Equal(9, metrics.Sum("http_server_request_duration_seconds_count", "http_route=/api/{name}/{version}", "http_request_method=POST"));
            Assert.DoesNotContain(name, RoutesOf(metrics), StringComparison.Ordinal);

            using (var closed = await client.DeleteAsync($"/sessions/{session}"))
            {
                Assert.True(closed.IsSuccessStatusCode);
            }

            Assert.Equal(0, (await ScrapeAsync(server)).Sum("ferry_sessions_open"));
        }
        finally
        {
            TestDirectory.TryDelete(dataDirectory);
        }
    }

    [Fact]
    public async Task Metrics_Runs_ActiveByStateWhileTheyRun_EachStateEnteredCounted()
    {
        var dataDirectory = TestDirectory.Create();
        try
        {
            await using var server = await FerryProcess.ServeAsync(dataDirectory, Password);
            using var client = await server.LoggedInClientAsync("admin", Password);
            var workspace = await ArmApi.CreateWorkspaceAsync(client);
            var done = await ArmApi.StartRunAsync(client, workspace, "m", ("done.py", "print('done')"), """{"configuration":{"script":"done.py"}}""");
            Assert.Equal("Completed", (await ArmApi.WaitForRunAsync(client, workspace, "m", done)).GetProperty("status").GetString());
            var slow = await ArmApi.StartRunAsync(client, workspace, "m", ("slow.py", "import time\ntime.sleep(300)"), """{"configuration":{"script":"slow.py"}}""");

            var running = await ScrapeAsync(server);
            for (var i = 0; i < 600 && running.Sum("ferry_runs_active", "ferry_run_state=Running") == 0; i++)
            {
                await Task.Delay(100);
                running = await ScrapeAsync(server);
            }

            Assert.Equal(1, running.Sum("ferry_runs_active", "ferry_run_state=Running"));
            Assert.Equal(1, running.Sum("ferry_runs_active"));
            using (var cancel = await client.PostAsync($"/execution/v1.0{workspace}/experiments/m/runId/{slow}/cancel?{ArmApi.ApiVersion}", null))
            {
                Assert.True(cancel.IsSuccessStatusCode);
            }

            Assert.Equal("Canceled", (await ArmApi.WaitForRunAsync(client, workspace, "m", slow)).GetProperty("status").GetString());
            var ended = await ScrapeAsync(server);
            foreach (var (state, count) in new[] { ("Queued", 2), ("Preparing", 2), ("Running", 2), ("Finalizing", 1), ("Completed", 1), ("Canceled", 1), ("Failed", 0) })
            {
                Assert.Equal(count, ended.Sum("ferry_runs_total", $"ferry_run_state={state}"));
            }

            Assert.True(ended.Has("ferry_runs_active", "ferry_run_state=Queued"), ended.Text);
            Assert.Equal(0, ended.Sum("ferry_runs_active"));
        }
        finally
        {
            TestDirectory.TryDelete(dataDirectory);
        }
    }

    [Fact]
    public async Task Metrics_OnlyOnTheirOwnListener_AndTheApiNotThere()
    {
        var dataDirectory = TestDirectory.Create();
        try
        {
            await using var server = await FerryProcess.ServeAsync(dataDirectory, Password);
            using var api = await server.LoggedInClientAsync("admin", Password);
            using var metrics = new HttpClient { BaseAddress = server.MetricsAddress };

            using (var scrape = await metrics.GetAsync("/metrics"))
            {
                Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
                Assert.Equal("text/plain", scrape.Content.Headers.ContentType?.MediaType);
                Assert.Contains("# TYPE ", await scrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            using (var onApi = await api.GetAsync("/metrics"))
            {
                Assert.Equal(HttpStatusCode.NotFound, onApi.StatusCode);
            }

            // The Host header is the caller's to write: it does not make the API's port the metrics listener.
            using (var spoofed = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
            {
                spoofed.Headers.Host = server.MetricsAddress!.Authority;
                using var response = await api.SendAsync(spoofed);
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }

            foreach (var path in new[] { "/status", "/services", "/swagger/v1/swagger.json" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Authorization = api.DefaultRequestHeaders.Authorization;
                using var response = await metrics.SendAsync(request);
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }

            using (var login = await metrics.PostAsJsonAsync("/login", new { username = "admin", password = Password }))
            {
                Assert.Equal(HttpStatusCode.NotFound, login.StatusCode);
            }
        }
        finally
        {
            TestDirectory.TryDelete(dataDirectory);
        }
    }

    /// <summary>The API's port, a port chosen at start (which no request could be told apart by), or no URL at all.</summary>
    [Theory]
    [InlineData("http://127.0.0.1:5123")]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("not a url")]
    public void Build_MetricsUrlsThatCannotBeKeptApart_RefuseToStart(string metricsUrls)
    {
        var error = Assert.Throws<InvalidOperationException>(() => FerryServer.Build(["--urls", "http://127.0.0.1:5123", $"--Ferry:Metrics:Urls={metricsUrls}"]));
        Assert.Contains("Ferry:Metrics:Urls", error.Message, StringComparison.Ordinal);
    }

    /// <summary>What bench/consume.sh relies on to compare: a later empty setting wins and no exporter is registered.</summary>
    [Fact]
    public async Task Build_EmptyMetricsUrlsAfterOthers_ExportsNoMetrics()
    {
        await using var off = FerryServer.Build(["--urls", "http://127.0.0.1:5123", "--Ferry:Metrics:Urls=http://127.0.0.1:5124", "--Ferry:Metrics:Urls="]);
        Assert.False(off.Services.GetRequiredService<MetricsListener>().Enabled);
        Assert.Null(off.Services.GetService<MeterProvider>());

        await using var on = FerryServer.Build(["--urls", "http://127.0.0.1:5123"]);
        Assert.True(on.Services.GetRequiredService<MetricsListener>().Enabled);
        Assert.NotNull(on.Services.GetService<MeterProvider>());
    }

    private static async Task<bool> SucceedsAsync(HttpClient client, string name, int x)
    {
        using var response = await client.PostAsJsonAsync($"/api/{name}/v1", new { x });
        return (await HttpAssert.OkJsonAsync(response)).GetProperty("success").GetBoolean();
    }

    private static async Task<PrometheusText> ScrapeAsync(FerryProcess server)
    {
        using var metrics = new HttpClient { BaseAddress = server.MetricsAddress };
        return new PrometheusText(await metrics.GetStringAsync("/metrics"));
    }

    private static string RoutesOf(PrometheusText metrics) =>
        string.Join('\n', metrics.Text.Split('\n').Where(l => l.StartsWith("http_server_request_duration_seconds_count", StringComparison.Ordinal)));
}
