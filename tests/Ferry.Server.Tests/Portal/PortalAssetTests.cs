using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Ferry.Server.Portal;
using Ferry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Portal;

/// <summary>The portal's files as served: no token needed, a strict policy on each, nothing fetched from elsewhere.</summary>
public sealed partial class PortalAssetTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    /// <summary>XML namespace names: identifiers that are never fetched (SVG elements need theirs).</summary>
    private static readonly string[] NamespaceNames = ["http://www.w3.org/2000/svg"];

    [Fact]
    public async Task EveryAsset_ServedWithoutToken_WithTheStrictPolicy_NamesNoOtherHost()
    {
        using var anonymous = factory.CreateClient();
        var paths = factory.Services.GetRequiredService<PortalAssets>().Paths;
        Assert.Contains("index.html", paths);
        Assert.Contains("app.js", paths);
        foreach (var path in paths)
        {
            using var response = await anonymous.GetAsync($"/ui/{path}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(PortalEndpoints.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            var text = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
            var external = ExternalUrl().Matches(text).Select(m => m.Value).Where(url => !NamespaceNames.Contains(url)).ToList();
            Assert.True(external.Count == 0, $"{path} names {string.Join(", ", external)}");
        }

        Assert.Contains("default-src 'self'", PortalEndpoints.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", PortalEndpoints.ContentSecurityPolicy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ui_RedirectsToTheSlash_ServesTheShell_RevalidatesByETag_UnknownFileIsJson404()
    {
        using var anonymous = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using (var bare = await anonymous.GetAsync("/ui"))
        {
            Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
            Assert.Equal("/ui/", bare.Headers.Location?.OriginalString);
        }

        using var shell = await anonymous.GetAsync("/ui/");
        Assert.Equal(HttpStatusCode.OK, shell.StatusCode);
        Assert.Equal("text/html", shell.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"app.js\">", await shell.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/ui/app.js");
        again.Headers.TryAddWithoutValidation("If-None-Match", (await anonymous.GetAsync("/ui/app.js")).Headers.ETag!.Tag);
        using (var revalidated = await anonymous.SendAsync(again))
        {
            Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        }

        using var missing = await anonymous.GetAsync("/ui/pages/nothing.js");
        await HttpAssert.ErrorAsync(missing, HttpStatusCode.NotFound, "nothing.js");

        // The portal's files are public; the API behind it is not.
        using var services = await anonymous.GetAsync("/services");
        Assert.Equal(HttpStatusCode.Unauthorized, services.StatusCode);
    }

    [GeneratedRegex(@"https?://[^\s""'`)<>]+", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalUrl();
}
