namespace Ferry.Server.Sessions;

/// <summary>The body of <c>getSessionConsoleOutput</c>.</summary>
public sealed record ConsoleOutputResponse(string ConsoleOutput);
