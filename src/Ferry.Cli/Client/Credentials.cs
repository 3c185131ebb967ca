namespace Ferry.Cli.Client;

/// <summary>What <c>ferry login</c> keeps: the server and the tokens it gave.</summary>
internal sealed record Credentials(string Server, string UserName, string AccessToken, string? RefreshToken);
