namespace SharingPlatform.Cli;

/// <summary>What sharectl's exit code means, for scripts.</summary>
public static class ExitCodes
{
    /// <summary>Everything worked.</summary>
    public const int Ok = 0;

    /// <summary>Wrong arguments, an unknown profile, or an input file that cannot be used; nothing was sent.</summary>
    public const int BadInput = 1;

    /// <summary>The server refused the request (not found, permission denied, invalid, conflict).</summary>
    public const int Refused = 2;

    /// <summary>Authentication failed: unknown or disabled client, wrong key, no profile.</summary>
    public const int AuthFailed = 3;

    /// <summary>The server could not be reached or failed; retrying later may work.</summary>
    public const int Unavailable = 4;

    /// <summary>Done, but some records were rejected or in conflict (see the report).</summary>
    public const int Partial = 5;

    /// <summary>An audit verification found tampering.</summary>
    public const int VerificationFailed = 6;

    /// <summary>Stopped by Ctrl-C (or SIGTERM), e.g. <c>cases pull --follow</c>: 128 + SIGINT, as shells report it.</summary>
    public const int Cancelled = 130;
}
