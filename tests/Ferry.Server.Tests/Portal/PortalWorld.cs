using System.Net.Http.Json;
using Ferry.Server.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Ferry.Server.Tests.Portal;

/// <summary>
/// A real <c>ferry serve</c> with the seed iris service published, a Reader user with Reader on the
/// default subscription, and Debian's Chromium driven by Playwright (nothing downloaded). A browser
/// needs a real socket, so this is the launcher's server, not the in-memory test host.
/// </summary>
public sealed class PortalWorld : IAsyncLifetime
{
    public const string AdminPassword = "admin-Passw0rd!";
    public const string ReaderName = "portal-reader";
    public const string ReaderPassword = "reader-Passw0rd!";
    private const string Chromium = "/usr/bin/chromium";

    private IPlaywright? playwright;

    public string DataDirectory { get; } = TestDirectory.Create();

    public FerryProcess Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The admin's session that trained the iris model; it stays open.</summary>
    public string SessionId { get; private set; } = "";

    public static string ScreenshotDirectory { get; } = Path.Combine(FerryProcess.RepositoryRoot, "artifacts", "test-results", "portal");

    public async Task InitializeAsync()
    {
        Server = await FerryProcess.ServeAsync(DataDirectory, AdminPassword);
        using (var admin = await AdminClientAsync())
        {
            (SessionId, var snapshot) = await IrisService.TrainAndSnapshotAsync(admin);
            using var published = await admin.PostAsJsonAsync("/services/Iris/V1.0", IrisService.Publish(snapshot));
            published.EnsureSuccessStatusCode();
        }

        await RunAdminAsync("user", "add", ReaderName, "--role", "Reader", "--password", ReaderPassword);
        await RunAdminAsync("role", "assign", ReaderName, "Reader");

        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ./ferry test installs Debian's chromium package.");
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public Task<HttpClient> AdminClientAsync() => Server.LoggedInClientAsync("admin", AdminPassword);

    /// <summary>A fresh browser tab (its own sessionStorage) at the sign-in page, recording script errors and CSP refusals.</summary>
    public async Task<PortalTab> OpenAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var tab = new PortalTab(context, await context.NewPageAsync());
        await tab.Page.GotoAsync("/ui/");
        return tab;
    }

    /// <summary>A tab signed in through the sign-in form.</summary>
    public async Task<PortalTab> SignInAsync(string userName, string password)
    {
        var tab = await OpenAsync();
        await tab.SignInAsync(userName, password);
        await Assertions.Expect(tab.Page.Locator("#nav")).ToBeVisibleAsync();
        return tab;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        playwright?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        TestDirectory.TryDelete(DataDirectory);
    }

    private async Task RunAdminAsync(params string[] arguments)
    {
        var (exitCode, output) = await FerryProcess.RunAsync(["admin", .. arguments, "--data-dir", DataDirectory]);
        Assert.True(exitCode == 0, output);
    }
}
