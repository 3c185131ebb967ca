using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ferry.Server.Tests.Infrastructure;

/// <summary>Keeps every log entry the server writes, with its structured state.</summary>
public sealed class LogCollector : ILoggerProvider
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Collector(categoryName, Entries);

    public void Dispose()
    {
    }

    private sealed class Collector(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception), values.ToDictionary(v => v.Key, v => v.Value), exception));
        }
    }
}

public sealed record LogEntry(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Values, Exception? Exception = null);
