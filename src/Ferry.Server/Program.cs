// The server alone, for `dotnet run` and the test host; `ferry serve` is the usual way in.
await Ferry.Server.FerryServer.Build(args).RunAsync();

/// <summary>The entry point the integration tests' host factory starts.</summary>
public partial class Program;
