namespace SharingPlatform.Server.Hosting;

/// <summary>
/// The server will not start on what it found (a lost database, a lost key, a corrupt file): the message says what is
/// wrong and how to recover, and names files and settings only, never data. The process exits with code 3.
/// </summary>
public sealed class StartRefusedException(string message) : Exception(message)
{
    public const int ExitCode = 3;
}
