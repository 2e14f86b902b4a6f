namespace SharingPlatform.Server.Hosting;

/// <summary>
/// The server will not start: a setting is wrong, what it found is unsafe to start on (a lost database, a lost key, a
/// corrupt file, a newer schema), a port is taken or the database cannot be reached. The message says what is wrong
/// and how to recover, and names settings and files only, never data or a secret. The process exits with
/// <see cref="ExitCode"/>, one of <see cref="StartExitCodes"/>.
/// </summary>
public sealed class StartRefusedException(string message, int exitCode = StartExitCodes.Refused) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// The documented exit codes of a start that did not happen (README, Exit codes). A supervisor should not restart on
/// 2, 3 or 4 (the same start fails the same way until an operator acts) and may restart on 5 (the database may come back).
/// </summary>
public static class StartExitCodes
{
    /// <summary>A setting is missing, unknown or out of range.</summary>
    public const int Configuration = 2;

    /// <summary>What the data directory or the database holds is unsafe to start on; nothing was changed.</summary>
    public const int Refused = 3;

    /// <summary>A listener's address or port cannot be used (taken, not on this machine, or privileged).</summary>
    public const int PortUnavailable = 4;

    /// <summary>The database cannot be reached or opened.</summary>
    public const int DatabaseUnreachable = 5;
}
