using System.Buffers.Text;
using System.Security.Cryptography;

namespace SharingPlatform.Client.Pseudonymization;

/// <summary>
/// The consortium linkage key: 32 random bytes shared by the partners (never by the server), from which every
/// subject token is derived. Whoever holds it can test guesses of names against tokens, so it is kept like a
/// private key: owner-only file, never sent, never logged.
/// </summary>
public sealed class LinkageKey
{
    private const string Prefix = "sharingplatform-linkage-key-v1:";

    private LinkageKey(byte[] bytes) => Bytes = bytes;

    internal byte[] Bytes { get; }

    public static LinkageKey Create() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>For test vectors and key ceremonies: a key from exactly 32 bytes.</summary>
    public static LinkageKey FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 32 ? new LinkageKey(bytes.ToArray()) : throw new ArgumentException("A linkage key is 32 bytes.", nameof(bytes));

    public static LinkageKey Load(string path)
    {
        var text = File.ReadAllText(path).Trim();
        if (!text.StartsWith(Prefix, StringComparison.Ordinal) || !Base64Url.IsValid(text.AsSpan(Prefix.Length), out var length) || length != 32)
        {
            throw new InvalidDataException($"{path} is not a SharingPlatform linkage key file.");
        }

        return new LinkageKey(Base64Url.DecodeFromChars(text.AsSpan(Prefix.Length)));
    }

    /// <summary>Writes the key readable by the owner only; refuses to overwrite an existing file.</summary>
    public void Save(string path) => SecretFile.Write(path, Prefix + Base64Url.EncodeToString(Bytes));
}
