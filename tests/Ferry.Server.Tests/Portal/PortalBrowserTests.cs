using System.Net.Http.Json;
using Ferry.Server.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Ferry.Server.Tests.Portal;

/// <summary>
/// The portal in Debian's Chromium against a real server: sign-in, a service consumed from its form,
/// sessions, a run's log arriving live, models, and endpoint keys shown only to those the API gives them to.
/// Each test saves screenshots of the pages it visits under <c>artifacts/test-results/portal/</c>.
/// </summary>
public sealed class PortalBrowserTests(PortalWorld world) : IClassFixture<PortalWorld>
{
    private const string Preview = "api-version=2021-03-01-preview";

    [Fact]
    public async Task SignIn_WrongPasswordShowsTheServersMessage_RightOneOpensServices()
    {
        await using var tab = await world.OpenAsync();
        await tab.ScreenshotAsync("sign-in");
        await tab.SignInAsync("admin", "not-the-password");
        await Assertions.Expect(tab.Page.Locator("#login-error")).ToContainTextAsync("Invalid user name or password");
        await Assertions.Expect(tab.Page.Locator("#nav")).ToBeHiddenAsync();
        await tab.ScreenshotAsync("sign-in-error");

        await tab.SignInAsync("admin", PortalWorld.AdminPassword);
        await Assertions.Expect(tab.Page.Locator("#services")).ToContainTextAsync("Iris");
        await Assertions.Expect(tab.Page.Locator("#who")).ToHaveTextAsync("admin (Owner)");
        Assert.Null(await tab.Page.EvaluateAsync<string?>("localStorage.getItem('ferry.accessToken')"));
        await tab.ScreenshotAsync("services");
        tab.AssertClean();
    }

    [Fact]
    public async Task ServicePage_ConsumeFromItsForm_ShowsThePrediction_DefinitionSwaggerAndChartRender()
    {
        await using var tab = await world.SignInAsync("admin", PortalWorld.AdminPassword);
        await tab.Page.Locator("#services a", new PageLocatorOptions { HasText = "Iris" }).ClickAsync();
        await Assertions.Expect(tab.Page.Locator("#service-code")).ToContainTextAsync(IrisService.Code);
        await Assertions.Expect(tab.Page.Locator("#definition")).ToContainTextAsync("flower_data");
        await Assertions.Expect(tab.Page.Locator("#swagger pre")).ToContainTextAsync("WebServiceResult", new LocatorAssertionsToContainTextOptions { UseInnerText = false });
        await Assertions.Expect(tab.Page.Locator("#service-chart")).ToBeVisibleAsync();
        await Assertions.Expect(tab.Page.Locator("#service-chart")).Not.ToHaveTextAsync("Loading…");

        // Bad JSON is refused in the page, naming the input; the server's own 400s show as its message.
        await tab.Page.Locator("#input-flower_data").FillAsync("[7, 3.2");
        await tab.Page.Locator("#consume").ClickAsync();
        await Assertions.Expect(tab.Page.Locator("#consume-error")).ToContainTextAsync("'flower_data' (vector) is not valid JSON");
        await tab.Page.Locator("#input-flower_data").FillAsync("\"seven\"");
        await tab.Page.Locator("#consume").ClickAsync();
        await Assertions.Expect(tab.Page.Locator("#consume-error")).ToContainTextAsync("flower_data");

        await tab.Page.Locator("#input-flower_data").FillAsync("[7, 3.2, 4.7, 1.4]");
        await tab.Page.Locator("#consume").ClickAsync();
        await Assertions.Expect(tab.Page.Locator("#consume-status")).ToHaveTextAsync("Succeeded", new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await Assertions.Expect(tab.Page.Locator("#consume-outputs")).ToContainTextAsync("I. versicolor");

        // The chart reads GET /services/{name}/{version}/stats: opened again, the page draws the calls just made.
        await tab.Page.ReloadAsync();
        var chart = tab.Page.Locator("#service-chart");
        await Assertions.Expect(chart.Locator("svg[aria-label='Calls per second']")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 30_000 });
        await Assertions.Expect(chart.Locator("svg[aria-label='Latency (ms)'] .series-p99")).ToHaveCountAsync(1);
        await Assertions.Expect(chart).ToContainTextAsync("calls/s");
        await tab.Page.Locator("#input-flower_data").FillAsync("[7, 3.2, 4.7, 1.4]");
        await tab.Page.Locator("#consume").ClickAsync();
        await Assertions.Expect(tab.Page.Locator("#consume-status")).ToHaveTextAsync("Succeeded", new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await tab.ScreenshotAsync("service");
        tab.AssertClean();
    }

    [Fact]
    public async Task SessionsPage_ListsTheUsersOpenSession()
    {
        await using var tab = await world.SignInAsync("admin", PortalWorld.AdminPassword);
        await tab.Page.Locator("#nav a[data-section=sessions]").ClickAsync();
        await Assertions.Expect(tab.Page.Locator("#sessions")).ToContainTextAsync(world.SessionId);
        await tab.ScreenshotAsync("sessions");
        tab.AssertClean();
    }

    [Fact]
    public async Task RunPage_LogLinesArriveWhileTheRunRuns_MetricsAndStatusFollow()
    {
        using var admin = await world.AdminClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(admin);
        // The last step comes 20 s after the others: a slow machine may take seconds to sign in and open the page,
        // and the check that the page shows the log before the run has ended must not race with it.
        const string script = "import json, os, time\nfor i in range(1, 7):\n    time.sleep(20 if i == 6 else 0.5)\n    print(f'step {i} of 6', flush=True)\n"
            + "    with open(os.environ['AZUREML_METRICS_FILE'], 'a') as m:\n        m.write(json.dumps({'name': 'loss', 'value': 1.0 / i}) + '\\n')\n";
        var runId = await ArmApi.StartRunAsync(admin, workspace, "portal-exp", ("steps.py", script), """{"configuration":{"script":"steps.py"}}""");

        await using var tab = await world.SignInAsync("admin", PortalWorld.AdminPassword);
        await tab.Page.Locator("#nav a[data-section=runs]").ClickAsync();
        await tab.Page.Locator("#workspace").SelectOptionAsync(new SelectOptionValue { Label = $"{GroupOf(workspace)} / ws1" });
        await Assertions.Expect(tab.Page.Locator("#runs")).ToContainTextAsync(runId);
        await tab.ScreenshotAsync("runs");
        await tab.Page.Locator("#runs a", new PageLocatorOptions { HasText = runId }).ClickAsync();

        // The first line shows while the last is still to come: the page tails the log as the run writes it.
        var log = tab.Page.Locator("#run-log");
        await Assertions.Expect(log).ToContainTextAsync("step 1 of 6", new LocatorAssertionsToContainTextOptions { Timeout = 60_000 });
        Assert.DoesNotContain("step 6 of 6", await log.TextContentAsync(), StringComparison.Ordinal);
        await tab.ScreenshotAsync("run-running");

        await Assertions.Expect(log).ToContainTextAsync("step 6 of 6", new LocatorAssertionsToContainTextOptions { Timeout = 60_000 });
        await Assertions.Expect(tab.Page.Locator("#run-status")).ToHaveTextAsync("Completed", new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await Assertions.Expect(tab.Page.Locator("#metrics")).ToContainTextAsync("loss");
        Assert.Single((await log.TextContentAsync())!.Split('\n'), line => line.Contains("step 3 of 6", StringComparison.Ordinal));
        await tab.ScreenshotAsync("run");
        tab.AssertClean();
    }

    [Fact]
    public async Task EndpointsPage_ReaderSeesTheEndpointButNoKeys_OwnerSeesTheKeys()
    {
        using var admin = await world.AdminClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(admin);
        var endpoint = $"{workspace}/onlineEndpoints/portal-ep";
        using (var put = await admin.PutAsJsonAsync($"{endpoint}?{Preview}", new { location = "westus2", properties = new { authMode = "Key" } }))
        {
            Assert.Equal("Succeeded", await ArmApi.PollAsync(admin, put.Headers.GetValues("Azure-AsyncOperation").Single()));
        }

        using var keys = await admin.PostAsync($"{endpoint}/listKeys?{Preview}", null);
        var primary = (await HttpAssert.OkJsonAsync(keys)).GetProperty("primaryKey").GetString()!;
        var route = $"#/endpoints/{workspace.Split('/')[2]}/{GroupOf(workspace)}/ws1";

        await using (var reader = await world.SignInAsync(PortalWorld.ReaderName, PortalWorld.ReaderPassword))
        {
            await reader.Page.GotoAsync($"/ui/{route}");
            var card = reader.Page.Locator("[data-endpoint=portal-ep]");
            await Assertions.Expect(card).ToContainTextAsync("/score");
            await Assertions.Expect(card.Locator(".keys-hidden")).ToBeVisibleAsync();
            Assert.DoesNotContain(primary, await reader.Page.ContentAsync(), StringComparison.Ordinal);
            await reader.ScreenshotAsync("endpoints-reader");
            reader.AssertClean();
        }

        await using var owner = await world.SignInAsync("admin", PortalWorld.AdminPassword);
        await owner.Page.GotoAsync($"/ui/{route}");
        await Assertions.Expect(owner.Page.Locator("[data-endpoint=portal-ep] [data-key=primary]")).ToHaveTextAsync(primary);
        await owner.ScreenshotAsync("endpoints");

        await owner.Page.Locator("#nav a[data-section=models]").ClickAsync();
        await Assertions.Expect(owner.Page.Locator("#workspace")).ToBeVisibleAsync();
        await Assertions.Expect(owner.Page.Locator("main .page")).ToContainTextAsync("No model is registered");
        await owner.ScreenshotAsync("models");
        owner.AssertClean();
    }

    private static string GroupOf(string workspace) => workspace.Split('/')[4];
}
