namespace SharingPlatform.Server.Identity;

/// <summary>
/// Where the server keys live, and the keys once start-up has checked the database: they are loaded (or, at a first
/// start only, created) by <see cref="Hosting.PlatformStart"/>, never when the container is built.
/// </summary>
public sealed class KeyRing(string directory)
{
    private ServerKeys? _keys;

    public string Directory { get; } = directory;

    public ServerKeys Keys => _keys ?? throw new InvalidOperationException("The server keys are loaded at start-up, once the database has been checked.");

    public void Load(bool createMissing) => _keys = ServerKeys.Load(Directory, createMissing);
}
