namespace SharingPlatform.Server.Identity;

/// <summary>A <c>keys</c> command that must not go on: the message says why and what to do, and names no key material.</summary>
public sealed class KeyCommandException(string message) : Exception(message);
