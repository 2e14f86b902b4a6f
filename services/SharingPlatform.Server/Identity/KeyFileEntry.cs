namespace SharingPlatform.Server.Identity;

/// <summary>One signing key file as the <c>keys</c> command shows it: its role, its id (never key material), the file and, for a retired token key, when it was retired.</summary>
public sealed record KeyFileEntry(string Role, string Kid, string File, DateTime? Retired);
