using System.Net;
using System.Net.Http.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.R;

/// <summary>An .R run runs with Rscript, metrics and outputs as a Python run's.</summary>
public sealed class RRunTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Fact]
    public async Task RScriptRun_RunsWithRscript_ItsArgumentsOutputsAndMetricsArrive()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        const string script = """
            args <- commandArgs(trailingOnly = TRUE)
            cat("Hello from", R.version.string, "with", args[1], "\n")
            fit <- lm(mpg ~ wt, data = mtcars)
            dir.create("outputs", showWarnings = FALSE)
            saveRDS(fit, "outputs/model.rds")
            cat(sprintf('{"name": "r2", "value": %.6f}\n', summary(fit)$r.squared), file = Sys.getenv("AZUREML_METRICS_FILE"), append = TRUE)
            """;
        var runId = await ArmApi.StartRunAsync(client, workspace, "r-exp", ("train.R", script), """{"configuration":{"script":"train.R","arguments":["42"],"target":"local"}}""");
        var run = await ArmApi.WaitForRunAsync(client, workspace, "r-exp", runId);
        Assert.Equal("Completed", run.GetProperty("status").GetString());
        Assert.Equal(0.7528, run.GetProperty("metrics").GetProperty("r2").GetDouble(), 3);

        using var details = await client.GetAsync($"/history/v1.0{workspace}/experiments/r-exp/runs/{runId}/details?{ArmApi.ApiVersion}");
        var logUrl = (await HttpAssert.OkJsonAsync(details)).GetProperty("logFiles").GetProperty("azureml-logs/70_driver_log.txt").GetString()!;
        var log = await client.GetStringAsync(new Uri(logUrl).PathAndQuery);
        Assert.Contains("Hello from R version", log, StringComparison.Ordinal);
        Assert.Contains("with 42", log, StringComparison.Ordinal);

        using var model = await client.GetAsync($"/artifact/v2.0{workspace}/artifacts/ExperimentRun/dcid.{runId}/content?path=outputs/model.rds");
        Assert.Equal(HttpStatusCode.OK, model.StatusCode);
    }
}

/// <summary>A server whose R is missing: /status says so, and R requests get a 400 naming what to install.</summary>
public sealed class MissingRuntimeTests(MissingRuntimeTests.NoRFactory factory) : IClassFixture<MissingRuntimeTests.NoRFactory>
{
    [Fact]
    public async Task RMissing_SessionsAndServicesAre400NamingThePackage_StatusWarns_PythonStillWorks()
    {
        using var client = await factory.LoggedInClientAsync();
        using (var session = await client.PostAsJsonAsync("/sessions", new { runtimeType = "R" }))
        {
            await HttpAssert.ErrorAsync(session, HttpStatusCode.BadRequest, "r-base-core");
        }

        using (var published = await client.PostAsJsonAsync($"/services/r{Guid.NewGuid():N}/1.0", new { runtimeType = "R", code = "y <- 1" }))
        {
            await HttpAssert.ErrorAsync(published, HttpStatusCode.BadRequest, "r-base-core");
        }

        using (var status = await client.GetAsync("/status"))
        {
            var r = (await HttpAssert.OkJsonAsync(status)).GetProperty("components").GetProperty("runtimes").GetProperty("components").GetProperty("r");
            Assert.Equal("warn", r.GetProperty("statusCode").GetString());
            Assert.Contains("r-base-core", r.GetProperty("details").GetProperty("problem").GetString(), StringComparison.Ordinal);
        }

        var python = await SessionApi.CreateAsync(client);
        Assert.Equal(2, (await SessionApi.RunAsync(client, python, "y = 1 + 1", "y"))["y"].GetInt32());
    }

    public sealed class NoRFactory() : FerryFactory(TestDirectory.Create(), new Dictionary<string, string?> { ["Ferry:R:Interpreter"] = "/nonexistent/Rscript" });
}
