using Microsoft.Playwright;

namespace Ferry.Server.Tests.Portal;

/// <summary>One browser tab on the portal: what its scripts threw and what the Content-Security-Policy refused.</summary>
public sealed class PortalTab : IAsyncDisposable
{
    private readonly IBrowserContext context;
    private readonly List<string> problems = [];

    public PortalTab(IBrowserContext context, IPage page)
    {
        this.context = context;
        Page = page;
        page.PageError += (_, error) => problems.Add($"script error: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                problems.Add($"CSP: {message.Text}");
            }
        };
    }

    public IPage Page { get; }

    /// <summary>Script errors and CSP refusals seen so far.</summary>
    public IReadOnlyList<string> Problems => problems;

    public async Task SignInAsync(string userName, string password)
    {
        await Page.Locator("#username").FillAsync(userName);
        await Page.Locator("#password").FillAsync(password);
        await Page.Locator("#sign-in").ClickAsync();
    }

    /// <summary>Saves the whole page as <c>artifacts/test-results/portal/{name}.png</c>.</summary>
    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PortalWorld.ScreenshotDirectory, $"{name}.png"), FullPage = true });

    /// <summary>Fails on any script error or CSP refusal the tab saw.</summary>
    public void AssertClean() => Assert.True(problems.Count == 0, string.Join('\n', problems));

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}
