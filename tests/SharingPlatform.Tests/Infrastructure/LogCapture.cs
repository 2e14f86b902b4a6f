using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>
/// Keeps every log line the host writes, after the host's own level rules (which apply to every provider): the
/// category, the formatted message, the exception's full text and every structured value, as a sink would store them.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<Line> _lines = new();

    public IReadOnlyCollection<Line> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    /// <summary>One log line; <see cref="Text"/> is everything in it that a sink could write.</summary>
    public sealed record Line(string Category, LogLevel Level, EventId EventId, string Message, string? Exception, string Values)
    {
        public string Text => string.Join('\n', Message, Exception, Values);
    }

    private sealed class Logger(string category, ConcurrentQueue<Line> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join('\n', pairs.Select(p => $"{p.Key}={p.Value}"))
                : "";
            lines.Enqueue(new Line(category, logLevel, eventId, formatter(state, exception), exception?.ToString(), values));
        }
    }
}
