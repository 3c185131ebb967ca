using System.Net.Http.Json;

namespace Ferry.Server.Tests.Infrastructure;

/// <summary>The ARM calls most Azure-ML tests make, as curl would.</summary>
public static class ArmApi
{
    public const string ApiVersion = "api-version=2019-11-01";

    public static async Task<string> SubscriptionAsync(HttpClient client)
    {
        using var response = await client.GetAsync($"/subscriptions?{ApiVersion}");
        return (await HttpAssert.OkJsonAsync(response)).GetProperty("value")[0].GetProperty("subscriptionId").GetString()!;
    }

    /// <summary>A new resource group; returns its ARM path.</summary>
    public static async Task<string> CreateGroupAsync(HttpClient client)
    {
        var group = $"/subscriptions/{await SubscriptionAsync(client)}/resourceGroups/rg-{Guid.NewGuid():N}";
        using var put = await client.PutAsJsonAsync($"{group}?{ApiVersion}", new { location = "centralus" });
        put.EnsureSuccessStatusCode();
        return group;
    }

    /// <summary>A new resource group and a provisioned workspace in it; returns the workspace's ARM path.</summary>
    public static async Task<string> CreateWorkspaceAsync(HttpClient client)
    {
        var path = $"{await CreateGroupAsync(client)}/providers/Microsoft.MachineLearningServices/workspaces/ws1";
        using var put = await client.PutAsJsonAsync($"{path}?{ApiVersion}", new { location = "centralus" });
        Assert.Equal("Succeeded", await PollAsync(client, put.Headers.GetValues("Azure-AsyncOperation").Single()));
        return path;
    }

    /// <summary>Polls an <c>Azure-AsyncOperation</c> URL until its status is terminal.</summary>
    public static async Task<string> PollAsync(HttpClient client, string url)
    {
        for (var i = 0; i < 100; i++)
        {
            using var poll = await client.GetAsync(url);
            var status = (await HttpAssert.OkJsonAsync(poll)).GetProperty("status").GetString()!;
            if (status != "InProgress")
            {
                return status;
            }

            await Task.Delay(50);
        }

        return "InProgress";
    }
}
