using Microsoft.Data.Sqlite;

namespace SharingPlatform.Client.Sync;

/// <summary>
/// The file under a <see cref="LocalView"/>: created owner-only before SQLite opens it (SQLite gives its journal the
/// same mode), narrowed if found wider, and recognised before anything is written to it. Errors name the file and
/// SQLite's error code, never what the file holds.
/// </summary>
internal static class ViewStoreFile
{
    /// <summary>"SPLV" in the SQLite header's application id: this file is a pulled view.</summary>
    public const long ApplicationId = 0x53504C56;

    /// <summary>The layout of the tables; a store of another layout is refused rather than guessed at.</summary>
    public const long SchemaVersion = 1;

    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();

    private static readonly string[] SideFiles = ["-journal", "-wal", "-shm"];

    /// <summary>Makes sure <paramref name="path"/> can be opened as a store; true if it is new (missing or empty).</summary>
    public static bool Prepare(string path)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            SecretFile.Write(path, "");
            return true;
        }

        foreach (var file in SideFiles.Select(s => path + s).Where(File.Exists).Prepend(path))
        {
            SecretFile.RestrictToOwner(file);
        }

        if (new FileInfo(path).Length == 0)
        {
            return true;
        }

        var header = new byte[SqliteHeader.Length];
        using (var stream = File.OpenRead(path))
        {
            if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header.AsSpan().SequenceEqual(SqliteHeader))
            {
                throw NotAStore(path);
            }
        }

        return false;
    }

    public static InvalidDataException NotAStore(string path) =>
        new($"{path} is not a view store written by this SDK (a .jsonl view of an earlier version is imported, not opened); nothing in it was read or changed.");

    /// <summary>A SQLite failure as the caller may see it: the file and the error code, not SQLite's message.</summary>
    public static Exception Failed(string path, SqliteException e) => e.SqliteErrorCode switch
    {
        // SQLITE_CORRUPT, SQLITE_NOTADB
        11 or 26 => new InvalidDataException($"{path} is damaged or not a view store (SQLite error {e.SqliteErrorCode}); pull again into a new file."),
        // SQLITE_BUSY, SQLITE_LOCKED
        5 or 6 => new IOException($"{path} is locked by another program (SQLite error {e.SqliteErrorCode}); try again when it is done."),
        _ => new IOException($"{path}: the view store failed (SQLite error {e.SqliteErrorCode})."),
    };
}
