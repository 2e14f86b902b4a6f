using System.Text;
using Google.Protobuf;
using SharingPlatform.V1;

namespace SharingPlatform.Client.Sync;

/// <summary>
/// A pulled copy of the records a client may see: one protobuf-JSON record per line in a file, plus the cursor
/// in <c>FILE.cursor</c>. Saving writes the records first and the cursor last, each to a temporary file renamed
/// into place: after a crash the cursor is never ahead of the records, so pulling again from it re-applies at
/// most what is already there (upserts and deletions by name are idempotent): nothing lost, nothing doubled.
/// </summary>
public sealed class LocalView
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);
    private readonly SortedDictionary<string, CaseRecord> _records = new(StringComparer.Ordinal);
    private readonly string _path;

    private LocalView(string path) => _path = path;

    public string Cursor { get; private set; } = "";

    public int Count => _records.Count;

    public IEnumerable<CaseRecord> Records => _records.Values;

    public string CursorPath => _path + ".cursor";

    public static LocalView Load(string path)
    {
        var view = new LocalView(Path.GetFullPath(path));
        if (File.Exists(view._path))
        {
            var number = 0;
            foreach (var line in File.ReadLines(view._path, new UTF8Encoding(false, throwOnInvalidBytes: true)))
            {
                number++;
                if (line.Length == 0)
                {
                    continue;
                }

                try
                {
                    var record = JsonParser.Default.Parse<CaseRecord>(line);
                    view._records[record.Name] = record;
                }
                catch (InvalidProtocolBufferException)
                {
                    // The parser's message can quote the line (e.g. a raw input file given by mistake): never show it.
                    throw new InvalidDataException($"{view._path}: line {number} is not a pulled record; is this the file pull wrote?");
                }
            }
        }

        // A cursor without its records (file moved or deleted) would resume past records that are not there.
        if (File.Exists(view.CursorPath) && File.Exists(view._path))
        {
            view.Cursor = File.ReadAllText(view.CursorPath).Trim();
        }

        return view;
    }

    /// <summary>Applies one pulled message: upserts, deletions for tombstones, then its cursor.</summary>
    public (int Upserts, int Deletions) Apply(PullChangesResponse message)
    {
        var (upserts, deletions) = (0, 0);
        foreach (var change in message.Changes)
        {
            if (change.Record is { } record)
            {
                _records[change.Name] = record;
                upserts++;
            }
            else if (_records.Remove(change.Name))
            {
                deletions++;
            }
        }

        Cursor = message.NextCursor;
        return (upserts, deletions);
    }

    /// <summary>Records first, cursor last, each written whole and renamed into place.</summary>
    public void Save()
    {
        var directory = Path.GetDirectoryName(_path)!;
        Directory.CreateDirectory(directory);
        WriteAtomically(_path, writer =>
        {
            foreach (var record in _records.Values)
            {
                writer.WriteLine(Formatter.Format(record));
            }
        });
        WriteAtomically(CursorPath, writer => writer.Write(Cursor));
    }

    private static void WriteAtomically(string path, Action<StreamWriter> write)
    {
        var temporary = path + ".tmp";
        // Owner-only: the view holds partners' shared records.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            write(writer);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
