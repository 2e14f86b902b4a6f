using Google.Protobuf;
using Microsoft.Data.Sqlite;
using SharingPlatform.V1;

namespace SharingPlatform.Client.Sync;

/// <summary>
/// The pulled copy of the records a client may see, in a SQLite file of its own: each record as protobuf bytes under
/// its name, and the cursor after them. A pulled message is applied in one transaction with its cursor, so the file
/// always stands at a message boundary: a pull killed at any point resumes from the stored cursor to exactly what an
/// uninterrupted pull leaves, and no record is ever newer than the cursor (the server decides from the cursor what a
/// puller may hold and must take back). A message costs writes in proportion to its changes, not to the view.
/// Deleted records are overwritten in the file (secure_delete), and nothing goes to temporary files. The file and
/// its journal are readable by the owner only. One instance is not thread-safe; other instances (or programs) may
/// read the same file meanwhile, and a second writer is refused (see <see cref="Apply"/>).
/// </summary>
public sealed class LocalView : IDisposable
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _upsert;
    private readonly SqliteCommand _delete;
    private readonly SqliteCommand _setCursor;

    private LocalView(string path, SqliteConnection connection, string cursor)
    {
        Path = path;
        _connection = connection;
        Cursor = cursor;
        _upsert = Command("INSERT INTO record (name, data) VALUES ($name, $data) ON CONFLICT (name) DO UPDATE SET data = excluded.data", "$name", "$data");
        _delete = Command("DELETE FROM record WHERE name = $name", "$name");
        _setCursor = Command("UPDATE state SET cursor = $cursor WHERE id = 1 AND cursor = $expected", "$cursor", "$expected");
    }

    /// <summary>The store's full path.</summary>
    public string Path { get; }

    /// <summary>The cursor after the last applied message; empty if nothing was ever pulled.</summary>
    public string Cursor { get; private set; }

    /// <summary>How many records the view holds.</summary>
    public int Count => Guard(() => Convert.ToInt32(Scalar(_connection, "SELECT count(*) FROM record"), System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// How many records the view holds per owning tenant (the grantor: <c>tenants/X</c> of <c>tenants/X/cases/Y</c>),
    /// counted in SQL, so that a summary can tell the caller's own records from those shared with it.
    /// </summary>
    public IReadOnlyDictionary<string, int> CountByTenant()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT substr(name, 1, 8 + instr(substr(name, 9), '/') - 1), count(*) FROM record GROUP BY 1 ORDER BY 1";
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        using var reader = Guard(() => command.ExecuteReader());
        while (Guard(reader.Read))
        {
            counts[reader.GetString(0)] = reader.GetInt32(1);
        }

        return counts;
    }

    /// <summary>The records, ordered by name, read from the file as they are enumerated.</summary>
    public IEnumerable<CaseRecord> Records
    {
        get
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT data FROM record ORDER BY name";
            using var reader = Guard(() => command.ExecuteReader());
            while (Guard(reader.Read))
            {
                yield return Parse((byte[])reader[0]);
            }
        }
    }

    /// <summary>Opens the store at <paramref name="path"/>, creating it (owner-only) if it does not exist.</summary>
    /// <exception cref="InvalidDataException">The file is not a store this SDK wrote, or is damaged; it was not changed.</exception>
    public static LocalView Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var isNew = ViewStoreFile.Prepare(full);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWrite,
            // Closing must close the file: a pooled connection would keep it (and its journal) open.
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            if (!isNew)
            {
                // Read-only checks first: a file that is not ours is left exactly as it was.
                Recognise(connection, full);
            }

            // A rollback journal truncated at each commit keeps no old pages once a message is applied; secure_delete
            // overwrites deleted records; sorting stays in memory. FULL: an applied message survives a power cut.
            Execute(connection, "PRAGMA journal_mode = TRUNCATE; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY;");
            if (isNew)
            {
                Create(connection);
            }

            return new LocalView(full, connection, (string)Scalar(connection, "SELECT cursor FROM state WHERE id = 1")!);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw ViewStoreFile.Failed(full, e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Applies one pulled message in one transaction: its upserts, its deletions (tombstones), then its cursor. A
    /// heartbeat (no changes, the same cursor) writes nothing.
    /// </summary>
    /// <exception cref="IOException">Another instance moved the cursor since this one read it; nothing was applied.</exception>
    public (int Upserts, int Deletions) Apply(PullChangesResponse message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Changes.Count == 0 && message.NextCursor == Cursor)
        {
            return (0, 0);
        }

        var (upserts, deletions) = (0, 0);
        InTransaction(() =>
        {
            foreach (var change in message.Changes)
            {
                if (change.Record is { } record)
                {
                    Upsert(change.Name, record);
                    upserts++;
                }
                else
                {
                    // A tombstone, or a kind this SDK does not know: holding less is the safe reading.
                    _delete.Parameters["$name"].Value = change.Name;
                    deletions += _delete.ExecuteNonQuery();
                }
            }

            SetCursor(message.NextCursor);
        });
        Cursor = message.NextCursor;
        return (upserts, deletions);
    }

    /// <summary>
    /// Takes over a view written by an earlier version (<paramref name="jsonlPath"/> with its <c>.cursor</c> beside it):
    /// its records then its cursor, in one transaction, into this store, which must never have pulled. The cursor file
    /// is deleted afterwards (the store holds it now; the .jsonl is then only an export). Returns the records held.
    /// </summary>
    public int ImportLegacy(string jsonlPath)
    {
        if (Cursor.Length > 0 || Count > 0)
        {
            throw new InvalidOperationException($"{Path} already holds a pulled view; nothing was imported.");
        }

        var cursor = LegacyViewFile.ReadCursor(jsonlPath);
        if (cursor.Length == 0)
        {
            throw new InvalidDataException($"{LegacyViewFile.CursorPath(jsonlPath)} is empty; nothing was imported.");
        }

        InTransaction(() =>
        {
            foreach (var record in LegacyViewFile.ReadRecords(jsonlPath))
            {
                Upsert(record.Name, record);
            }

            SetCursor(cursor);
        });
        Cursor = cursor;
        File.Delete(LegacyViewFile.CursorPath(jsonlPath));
        return Count;
    }

    /// <summary>True if <paramref name="jsonlPath"/> is a view an earlier version wrote, with its cursor: see <see cref="ImportLegacy"/>.</summary>
    public static bool IsLegacyView(string jsonlPath) => LegacyViewFile.IsResumable(System.IO.Path.GetFullPath(jsonlPath));

    /// <summary>
    /// Writes the records, one protobuf-JSON record per line ordered by name, to <paramref name="path"/>: a new
    /// owner-only file renamed over the old one. An export has no cursor (pulls resume from the store): a FILE.cursor
    /// beside it is removed. Returns the number of records written.
    /// </summary>
    public int ExportJsonl(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (full == Path)
        {
            throw new ArgumentException("The export cannot replace the store it is written from.", nameof(path));
        }

        var written = 0;
        SecretFile.Replace(full, writer =>
        {
            foreach (var record in Records)
            {
                writer.WriteLine(Formatter.Format(record));
                written++;
            }
        });
        // A cursor an earlier version left beside the file would pair this export with a position it does not match.
        File.Delete(LegacyViewFile.CursorPath(full));
        return written;
    }

    public void Dispose()
    {
        _upsert.Dispose();
        _delete.Dispose();
        _setCursor.Dispose();
        _connection.Dispose();
    }

    private static void Recognise(SqliteConnection connection, string path)
    {
        if (!Equals(Scalar(connection, "PRAGMA application_id"), ViewStoreFile.ApplicationId))
        {
            throw ViewStoreFile.NotAStore(path);
        }

        if (!Equals(Scalar(connection, "PRAGMA user_version"), ViewStoreFile.SchemaVersion))
        {
            throw new InvalidDataException($"{path} is a view store of another version of this SDK; pull again into a new file.");
        }
    }

    private static void Create(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            PRAGMA application_id = {ViewStoreFile.ApplicationId};
            PRAGMA user_version = {ViewStoreFile.SchemaVersion};
            CREATE TABLE record (name TEXT PRIMARY KEY NOT NULL, data BLOB NOT NULL);
            CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), cursor TEXT NOT NULL);
            INSERT INTO state (id, cursor) VALUES (1, '');
            """;
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    private void Upsert(string name, CaseRecord record)
    {
        _upsert.Parameters["$name"].Value = name;
        _upsert.Parameters["$data"].Value = record.ToByteArray();
        _upsert.ExecuteNonQuery();
    }

    /// <summary>
    /// Moves the cursor on from the one this instance last saw. Two pulls writing one store at once would leave
    /// records newer than the cursor: the second to write finds the cursor moved, and its message is not applied.
    /// </summary>
    private void SetCursor(string cursor)
    {
        _setCursor.Parameters["$cursor"].Value = cursor;
        _setCursor.Parameters["$expected"].Value = Cursor;
        if (_setCursor.ExecuteNonQuery() != 1)
        {
            throw new IOException($"{Path} was changed by another pull meanwhile; this message was not applied. Run one pull per store at a time.");
        }
    }

    /// <summary>Runs <paramref name="work"/> in one transaction: all of it is in the file, or none.</summary>
    private void InTransaction(Action work) => Guard(() =>
    {
        using var transaction = _connection.BeginTransaction();
        foreach (var command in new[] { _upsert, _delete, _setCursor })
        {
            command.Transaction = transaction;
        }

        work();
        transaction.Commit();
        return 0;
    });

    private SqliteCommand Command(string text, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = text;
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = parameter });
        }

        return command;
    }

    private CaseRecord Parse(byte[] data)
    {
        try
        {
            return CaseRecord.Parser.ParseFrom(data);
        }
        catch (InvalidProtocolBufferException)
        {
            throw new InvalidDataException($"{Path} holds a record that cannot be read; pull again into a new file.");
        }
    }

    private T Guard<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (SqliteException e)
        {
            throw ViewStoreFile.Failed(Path, e);
        }
    }

    private static object? Scalar(SqliteConnection connection, string text)
    {
        using var command = connection.CreateCommand();
        command.CommandText = text;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string text)
    {
        using var command = connection.CreateCommand();
        command.CommandText = text;
        command.ExecuteNonQuery();
    }
}
