using System.Net;
using Ferry.Core.Users;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Storage;

public sealed class RestartTests
{
    [Fact]
    public async Task Restart_KeepsUsersLoginsAndSigningKey()
    {
        var directory = TestDirectory.Create();
        string user;
        TokenPair tokens;
        await using (var first = new FerryFactory(directory) { KeepDataDirectory = true })
        {
            user = await first.AddUserAsync(Role.Reader);
            tokens = await first.LoginAsync(user, "user-Passw0rd!");
        }

        await using var second = new FerryFactory(directory);
        using var client = second.ClientWith(tokens.AccessToken);
        using var status = await client.GetAsync("/status");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        await second.LoginAsync(user, "user-Passw0rd!");
        Assert.Equal(Role.Reader, (await second.Users.ListAsync(CancellationToken.None)).Single(u => u.Name == user).Role);

        // Migrations ran once: a second start applied nothing new and the admin was not re-created.
        Assert.Single(await second.Users.ListAsync(CancellationToken.None), u => u.Name == UserService.AdminName);
    }

    [Fact]
    public async Task DataDirectory_SecretsAreOwnerOnly()
    {
        await using var factory = new FerryFactory();
        await factory.LoginAsync();
        var mode = File.GetUnixFileMode(Path.Combine(factory.DataDirectory, "jwt-signing-key"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }
}
