using System.Net;
using System.Net.Http.Headers;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.AzureMl;

/// <summary>A run's signed log URL answers byte ranges, so the portal and <c>ferry runs logs --follow</c> read only what is new.</summary>
public sealed class RunLogTailTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Fact]
    public async Task SignedLog_RangeFromAnOffset_Is206WithTheRest_PastTheEndIs416()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        var runId = await ArmApi.StartRunAsync(client, workspace, "tail-exp", ("hello.py", "print('first line')\nprint('second line')"), """{"configuration":{"script":"hello.py"}}""");
        Assert.Equal("Completed", (await ArmApi.WaitForRunAsync(client, workspace, "tail-exp", runId)).GetProperty("status").GetString());
        using var details = await client.GetAsync($"/history/v1.0{workspace}/experiments/tail-exp/runs/{runId}/details?{ArmApi.ApiVersion}");
        var url = new Uri((await HttpAssert.OkJsonAsync(details)).GetProperty("logFiles").GetProperty("azureml-logs/70_driver_log.txt").GetString()!).PathAndQuery;
        using var anonymous = factory.CreateClient();
        var whole = await anonymous.GetStringAsync(url);
        var offset = whole.IndexOf("second line", StringComparison.Ordinal);
        Assert.True(offset > 0, whole);

        using var rest = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new RangeHeaderValue(offset, null) } };
        using (var partial = await anonymous.SendAsync(rest))
        {
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal(whole[offset..], await partial.Content.ReadAsStringAsync());
        }

        using var past = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new RangeHeaderValue(whole.Length, null) } };
        using var nothing = await anonymous.SendAsync(past);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, nothing.StatusCode);
    }
}
