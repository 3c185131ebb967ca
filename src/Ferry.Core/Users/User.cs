namespace Ferry.Core.Users;

/// <summary>A local account. The password is kept only as a PBKDF2 hash.</summary>
public sealed record User(string Id, string Name, string PasswordHash, Role Role, DateTimeOffset CreatedAt);
