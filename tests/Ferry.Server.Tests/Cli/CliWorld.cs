using System.Net.Http.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Cli;

/// <summary>A real <c>ferry serve</c> with the seed iris service published, for the client verbs to talk to.</summary>
public sealed class CliWorld : IAsyncLifetime
{
    public const string AdminPassword = "admin-Passw0rd!";

    public string DataDirectory { get; } = TestDirectory.Create();

    public FerryProcess Server { get; private set; } = null!;

    /// <summary>The iris model's snapshot, for tests that publish versions of their own.</summary>
    public string SnapshotId { get; private set; } = "";

    public string Url => Server.BaseAddress.ToString().TrimEnd('/');

    public async Task InitializeAsync()
    {
        Server = await FerryProcess.ServeAsync(DataDirectory, AdminPassword);
        using var admin = await AdminClientAsync();
        (_, SnapshotId) = await IrisService.TrainAndSnapshotAsync(admin);
        using var published = await admin.PostAsJsonAsync("/services/Iris/V1.0", IrisService.Publish(SnapshotId));
        published.EnsureSuccessStatusCode();
    }

    public Task<HttpClient> AdminClientAsync() => Server.LoggedInClientAsync("admin", AdminPassword);

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        TestDirectory.TryDelete(DataDirectory);
    }
}
