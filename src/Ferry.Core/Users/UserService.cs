using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Ferry.Core.Changes;
using Ferry.Core.Errors;

namespace Ferry.Core.Users;

/// <summary>Adds and changes local users; shared by the admin CLI and the server's first start.</summary>
public sealed partial class UserService(IUserStore store, IChangeNotices notices, TimeProvider time)
{
    /// <summary>The account created on first start; it is the Owner.</summary>
    public const string AdminName = "admin";

    /// <summary>The shortest password any account may have, the bootstrap admin's included.</summary>
    public const int MinPasswordLength = 8;

    public async Task<User> AddAsync(string name, string password, Role role, CancellationToken cancellationToken)
    {
        ValidateName(name);
        ValidatePassword(password);
        var user = new User(Guid.NewGuid().ToString("N"), name, PasswordHasher.Hash(password), role, time.GetUtcNow());
        if (!await store.TryAddAsync(user, cancellationToken))
        {
            throw FerryException.Conflict($"A user named '{name}' already exists.");
        }

        return user;
    }

    public Task<IReadOnlyList<User>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    public async Task SetPasswordAsync(string name, string password, CancellationToken cancellationToken)
    {
        ValidatePassword(password);
        if (!await store.SetPasswordHashAsync(name, PasswordHasher.Hash(password), time.GetUtcNow(), cancellationToken))
        {
            throw UnknownUser(name);
        }
    }

    public async Task SetRoleAsync(string name, Role role, CancellationToken cancellationToken)
    {
        if (!await store.SetRoleAsync(name, role, cancellationToken))
        {
            throw UnknownUser(name);
        }

        await notices.PublishAsync(ChangeTopics.Auth, ChangeTopics.AllLogins, CancellationToken.None); // tokens carry the role they were minted with; every node reads it again
    }

    public async Task RemoveAsync(string name, CancellationToken cancellationToken)
    {
        if (!await store.RemoveAsync(name, cancellationToken))
        {
            throw UnknownUser(name);
        }

        await notices.PublishAsync(ChangeTopics.Auth, ChangeTopics.AllLogins, CancellationToken.None);
    }

    /// <summary>
    /// Creates the Owner account on first start. Returns the generated password when none was
    /// given, so the caller can show it once; null when the admin already exists.
    /// </summary>
    public async Task<string?> EnsureAdminAsync(string? password, CancellationToken cancellationToken)
    {
        if (await store.FindByNameAsync(AdminName, cancellationToken) is not null)
        {
            return null;
        }

        var generated = string.IsNullOrEmpty(password);
        var actual = generated ? GeneratePassword() : password!;
        var user = new User(Guid.NewGuid().ToString("N"), AdminName, PasswordHasher.Hash(actual), Role.Owner, time.GetUtcNow());
        if (!await store.TryAddAsync(user, cancellationToken))
        {
            return null; // another process created it first
        }

        return generated ? actual : null;
    }

    private static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');

    private static void ValidateName(string name)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw FerryException.BadRequest(
                "User names are 1 to 64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit.");
        }
    }

    private static void ValidatePassword(string password)
    {
        if (password.Length < MinPasswordLength)
        {
            throw FerryException.BadRequest($"Passwords must be at least {MinPasswordLength} characters long.");
        }
    }

    private static FerryException UnknownUser(string name) => FerryException.NotFound($"There is no user named '{name}'.");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}\\z")]
    private static partial Regex NamePattern();
}
