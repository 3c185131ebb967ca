namespace Ferry.Cli.Client;

/// <summary>How a client verb prints its answer: aligned text for people, or the server's JSON for scripts.</summary>
internal enum OutputFormat
{
    Table,
    Json,
}
