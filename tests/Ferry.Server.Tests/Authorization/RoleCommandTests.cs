using System.Text.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Authorization;

/// <summary><c>ferry admin role assign|list|remove</c> and the role <c>ferry admin sp create</c> gives, through the real command.</summary>
public sealed class RoleCommandTests : IDisposable
{
    private readonly string dataDirectory = TestDirectory.Create();

    public void Dispose() => TestDirectory.TryDelete(dataDirectory);

    [Fact]
    public async Task RoleCommands_AssignListRemove_AndSpCreateIsContributorOnItsOwnSubscription()
    {
        var created = await RunAsync("admin", "sp", "create", "--name", "pipeline");
        var sp = JsonDocument.Parse(created.Trim()).RootElement;
        var subscription = sp.GetProperty("subscriptionId").GetString()!;
        Assert.Contains($"{subscription} Contributor", await RunAsync("admin", "role", "list", "--principal", "pipeline"), StringComparison.Ordinal);
        var subscriptions = (await RunAsync("admin", "subscription", "list")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, subscriptions.Length); // the default one and the principal's
        Assert.Contains(subscriptions, line => line.StartsWith($"{subscription} pipeline", StringComparison.Ordinal));

        await RunAsync("admin", "user", "add", "bob", "--role", "Reader", "--password", "bob-Passw0rd!");
        Assert.Contains("User 'bob' is Reader on subscription", await RunAsync("admin", "role", "assign", "bob", "reader"), StringComparison.Ordinal);
        Assert.Contains($"User 'bob' is Contributor on subscription {subscription}",
            await RunAsync("admin", "role", "assign", "bob", "Contributor", "--subscription", subscription), StringComparison.Ordinal);
        var bobs = (await RunAsync("admin", "role", "list", "--principal", "bob")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, bobs.Length);

        await RunAsync("admin", "role", "remove", "bob", "--subscription", subscription);
        Assert.DoesNotContain(subscription, await RunAsync("admin", "role", "list", "--principal", "bob"), StringComparison.Ordinal);

        var (exit, output) = await FerryProcess.RunAsync(["admin", "role", "assign", "bob", "Admin", "--data-dir", dataDirectory]);
        Assert.Equal(1, exit);
        Assert.Contains("'Admin' is not a role", output, StringComparison.Ordinal);
        (exit, output) = await FerryProcess.RunAsync(["admin", "role", "assign", "nobody", "Reader", "--data-dir", dataDirectory]);
        Assert.Equal(1, exit);
        Assert.Contains("no user or service principal 'nobody'", output, StringComparison.Ordinal);

        // Removing a user takes its assignments with it.
        await RunAsync("admin", "user", "remove", "bob");
        Assert.DoesNotContain("bob", await RunAsync("admin", "role", "list"), StringComparison.Ordinal);
    }

    private async Task<string> RunAsync(params string[] arguments)
    {
        var (exit, output) = await FerryProcess.RunAsync([.. arguments, "--data-dir", dataDirectory]);
        Assert.True(exit == 0, output);
        return output;
    }
}
