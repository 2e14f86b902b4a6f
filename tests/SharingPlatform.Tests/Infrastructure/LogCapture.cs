using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>
/// Keeps every log line the host writes, after the host's own level rules (which apply to every provider): the
/// category, the formatted message, the exception's full text and every structured value, and the scopes the line was
/// written in (request path, connection, trace: what a sink with scopes on, e.g. the JSON console, stores with it).
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<Line> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<Line> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines, () => _scopes);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    /// <summary>One log line; <see cref="Text"/> is everything in it that a sink could write.</summary>
    public sealed record Line(string Category, LogLevel Level, EventId EventId, string Message, string? Exception, string Values)
    {
        public string Text => string.Join('\n', Message, Exception, Values);
    }

    private sealed class Logger(string category, ConcurrentQueue<Line> lines, Func<IExternalScopeProvider> scopes) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => scopes().Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = new List<string>();
            Add(state, values);
            scopes().ForEachScope(Add, values);
            lines.Enqueue(new Line(category, logLevel, eventId, formatter(state, exception), exception?.ToString(), string.Join('\n', values)));
        }

        private static void Add(object? state, List<string> values)
        {
            values.Add(state?.ToString() ?? "");
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                values.AddRange(pairs.Select(p => $"{p.Key}={p.Value}"));
            }
        }
    }
}
