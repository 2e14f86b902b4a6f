using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace SharingPlatform.Benchmarks.Large;

/// <summary>
/// Batched INSERTs of one entity type into its table, built from the server's EF Core model: the table and column
/// names, and for each column the provider type mapping and value converter EF Core itself applies when it writes a
/// parameter. So a row holds exactly what <c>SaveChanges</c> would have stored, at a fraction of its cost: many rows
/// per prepared statement, no change tracking. Every column is written, keys included (the loader numbers rows).
/// </summary>
internal sealed class BulkTable<T> : IDisposable
    where T : class
{
    private readonly DbContext _db;
    private readonly string _insertPrefix;
    private readonly string _rowTemplate;
    private readonly (IClrPropertyGetter Getter, RelationalTypeMapping Mapping)[] _columns;
    private readonly int _rowsPerStatement;
    private readonly List<T> _pending = [];
    private readonly Dictionary<int, DbCommand> _commands = [];

    public BulkTable(DbContext db, int rowsPerStatement)
    {
        _db = db;
        _rowsPerStatement = rowsPerStatement;
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var properties = entity.GetProperties().Where(p => p.GetColumnName(table) is not null).ToList();
        _columns = [.. properties.Select(p => (p.GetGetter(), (RelationalTypeMapping)p.GetRelationalTypeMapping()))];
        _insertPrefix = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ("
            + string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!))) + ") VALUES ";
        _rowTemplate = string.Join(", ", properties.Select((_, c) => "@p{0}_" + c.ToString(CultureInfo.InvariantCulture)));
        Written = 0;
    }

    public long Written { get; private set; }

    /// <summary>Queues a row; full statements go out at once, inside the context's current transaction.</summary>
    public async Task AddAsync(T row, CancellationToken cancellationToken)
    {
        _pending.Add(row);
        if (_pending.Count == _rowsPerStatement)
        {
            await FlushAsync(cancellationToken);
        }
    }

    /// <summary>Writes the queued rows (call before committing).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var command = Command(_pending.Count);
        var parameter = 0;
        foreach (var row in _pending)
        {
            foreach (var (getter, mapping) in _columns)
            {
                var value = getter.GetClrValueUsingContainingEntity(row);
                if (value is not null && mapping.Converter is { } converter)
                {
                    value = converter.ConvertToProvider(value);
                }

                command.Parameters[parameter++].Value = value ?? DBNull.Value;
            }
        }

        command.Transaction = _db.Database.CurrentTransaction?.GetDbTransaction();
        await command.ExecuteNonQueryAsync(cancellationToken);
        Written += _pending.Count;
        _pending.Clear();
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
    }

    private DbCommand Command(int rows)
    {
        if (_commands.TryGetValue(rows, out var cached))
        {
            return cached;
        }

        var command = _db.Database.GetDbConnection().CreateCommand();
        var text = new StringBuilder(_insertPrefix);
        for (var r = 0; r < rows; r++)
        {
            text.Append(r == 0 ? "(" : ", (").Append(string.Format(CultureInfo.InvariantCulture, _rowTemplate, r)).Append(')');
            for (var c = 0; c < _columns.Length; c++)
            {
                // The type mapping sets the parameter's provider type as EF Core does; the value is set per row.
                command.Parameters.Add(_columns[c].Mapping.CreateParameter(command, string.Create(CultureInfo.InvariantCulture, $"@p{r}_{c}"), null));
            }
        }

        command.CommandText = text.ToString();
        _commands[rows] = command;
        return command;
    }
}
