namespace SharingPlatform.Cli;

/// <summary>A failure with the exit code and the one-line message the user sees (never a stack trace).</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
