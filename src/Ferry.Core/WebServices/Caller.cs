using Ferry.Core.Users;

namespace Ferry.Core.WebServices;

/// <summary>Who is asking: the user and their role.</summary>
public sealed record Caller(string Name, Role Role);
