using Microsoft.Extensions.Logging;

namespace DosAi.Orleans.Dashboard.Tests.Infrastructure;

/// <summary>
/// The shared gateway's warnings and errors (and the gateway's own information lines), timestamped, in
/// TestResults/dashboard-gateway.log beside the screenshots: a browser test that times out says only
/// what the page did not do, this says what the server did meanwhile. CI prints its tail on failure.
/// </summary>
public sealed class GatewayLogFile : ILoggerProvider
{
    private readonly StreamWriter writer;
    private readonly Lock gate = new();

    public GatewayLogFile(string path) => writer = new StreamWriter(path, append: false) { AutoFlush = true };

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void Dispose()
    {
        lock (gate)
        {
            writer.Dispose();
        }
    }

    private void Write(string line)
    {
        lock (gate)
        {
            writer.WriteLine(line);
        }
    }

    private sealed class FileLogger(GatewayLogFile file, string category) : ILogger
    {
        private readonly LogLevel minimum = category.StartsWith("DosAi", StringComparison.Ordinal) ? LogLevel.Information : LogLevel.Warning;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                file.Write($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)} {exception}");
            }
        }
    }
}
