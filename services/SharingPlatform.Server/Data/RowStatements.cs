using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace SharingPlatform.Server.Data;

/// <summary>
/// Writes many rows of one entity type in a few statements instead of one tracked entity each: multi-row INSERTs,
/// batched UPDATEs and DELETE ... IN. Tables, columns and parameter types come from the EF model and its type
/// mappings (value converters included), so the statements stay in step with the migrations on every provider.
/// They run on the context's open transaction and leave the change tracker alone.
/// </summary>
public static class RowStatements
{
    /// <summary>
    /// Inserts <paramref name="rows"/> (every mapped column but a key the database generates); when the key is
    /// generated, each row's key is set from what the database returns, matched by <paramref name="matchBy"/>, a
    /// property whose values are distinct among these rows.
    /// </summary>
    public static async Task InsertAsync<T>(SharingDbContext db, IReadOnlyList<T> rows, string? matchBy, CancellationToken cancellationToken)
        where T : class
    {
        var table = Table.Of<T>(db);
        var generated = table.GeneratedKey;
        if (generated is not null && matchBy is null)
        {
            throw new ArgumentException($"{typeof(T).Name} has a generated key: name the property that matches returned keys to rows.", nameof(matchBy));
        }

        var match = matchBy is null ? null : table.Property(matchBy);
        var byMatch = match is null ? null : rows.ToDictionary(r => match.GetGetter().GetClrValue(r)!);
        var (keyMapping, matchMapping) = (generated?.GetRelationalTypeMapping(), match?.GetRelationalTypeMapping());
        await using var statement = new Statement(db);
        foreach (var chunk in rows.Chunk(table.RowsPerStatement(table.Written.Count)))
        {
            statement.Prepare(chunk.Length, command =>
            {
                var sql = new StringBuilder("INSERT INTO ").Append(table.Name).Append(" (")
                    .AppendJoin(", ", table.Written.Select(table.Column)).Append(')');
                if (generated is not null && table.SqlServer)
                {
                    sql.Append(" OUTPUT INSERTED.").Append(table.Column(generated)).Append(", INSERTED.").Append(table.Column(match!));
                }

                sql.Append(" VALUES ").AppendJoin(", ", Enumerable.Range(0, chunk.Length)
                    .Select(_ => $"({string.Join(", ", table.Written.Select(command.Add))})"));
                if (generated is not null && !table.SqlServer)
                {
                    sql.Append(" RETURNING ").Append(table.Column(generated)).Append(", ").Append(table.Column(match!));
                }

                return sql.ToString();
            });
            statement.Bind(chunk);
            if (generated is null)
            {
                await statement.ExecuteAsync(cancellationToken);
                continue;
            }

            await using var reader = await statement.ReadAsync(cancellationToken);
            var returned = 0;
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = byMatch![FromProvider(matchMapping!, reader.GetValue(1))!];
                generated.PropertyInfo!.SetValue(row, FromProvider(keyMapping!, reader.GetValue(0)));
                returned++;
            }

            if (returned != chunk.Length)
            {
                throw new InvalidOperationException($"The database returned {returned} keys for {chunk.Length} inserted {typeof(T).Name} rows.");
            }
        }
    }

    /// <summary>Updates every column but the key of each of <paramref name="rows"/>, found by its key.</summary>
    public static async Task UpdateAsync<T>(SharingDbContext db, IReadOnlyList<T> rows, CancellationToken cancellationToken)
        where T : class
    {
        var table = Table.Of<T>(db);
        var set = table.All.Where(p => !p.IsPrimaryKey()).ToList();
        var key = table.All.Where(p => p.IsPrimaryKey()).ToList();
        await using var statement = new Statement(db);
        foreach (var chunk in rows.Chunk(table.RowsPerStatement(table.All.Count)))
        {
            statement.Prepare(chunk.Length, command => string.Concat(Enumerable.Range(0, chunk.Length).Select(_ =>
                $"UPDATE {table.Name} SET {string.Join(", ", set.Select(p => $"{table.Column(p)} = {command.Add(p)}"))}"
                + $" WHERE {string.Join(" AND ", key.Select(p => $"{table.Column(p)} = {command.Add(p)}"))};\n")));
            statement.Bind(chunk);
            var updated = await statement.ExecuteAsync(cancellationToken);
            if (updated != chunk.Length)
            {
                throw new InvalidOperationException($"{updated} of {chunk.Length} {typeof(T).Name} rows were updated: a row is missing.");
            }
        }
    }

    /// <summary>Deletes the rows of <typeparamref name="T"/> whose <paramref name="property"/> is one of <paramref name="values"/>.</summary>
    public static async Task DeleteWhereInAsync<T, TValue>(SharingDbContext db, string property, IReadOnlyList<TValue> values, CancellationToken cancellationToken)
        where T : class
    {
        var table = Table.Of<T>(db);
        var column = table.Property(property);
        await using var statement = new Statement(db);
        foreach (var chunk in values.Chunk(table.RowsPerStatement(1)))
        {
            statement.Prepare(chunk.Length, command =>
                $"DELETE FROM {table.Name} WHERE {table.Column(column)} IN ({string.Join(", ", chunk.Select(_ => command.Add(column)))})");
            statement.BindValues(chunk.Cast<object?>());
            await statement.ExecuteAsync(cancellationToken);
        }
    }

    private static object? FromProvider(RelationalTypeMapping mapping, object value) =>
        mapping.Converter is { } converter ? converter.ConvertFromProvider(value) : Convert.ChangeType(value, mapping.ClrType, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// One command, built for a number of rows and reused while chunks keep that size: on SQLite (one row a
    /// statement) it stays prepared, and values are bound to its parameters in order.
    /// </summary>
    private sealed class Statement(SharingDbContext db) : IAsyncDisposable
    {
        private readonly List<(IProperty Property, string Name)> _slots = [];
        private DbCommand? _command;
        private int _rows = -1;

        public void Prepare(int rows, Func<Statement, string> sql)
        {
            if (rows == _rows)
            {
                return;
            }

            _command?.Dispose();
            _slots.Clear();
            var transaction = db.Database.CurrentTransaction
                ?? throw new InvalidOperationException("Rows are written in bulk inside the caller's transaction only.");
            _command = db.Database.GetDbConnection().CreateCommand();
            _command.Transaction = transaction.GetDbTransaction();
            _command.CommandText = sql(this);
            _rows = rows;
        }

        /// <summary>Adds a parameter for <paramref name="property"/> (in binding order) and returns its placeholder.</summary>
        public string Add(IProperty property)
        {
            var name = $"@p{_slots.Count}";
            _command!.Parameters.Add(Create(property, name, null));
            _slots.Add((property, name));
            return name;
        }

        /// <summary>Binds the rows' values to the parameters, which were added row by row in the same property order.</summary>
        public void Bind<T>(IReadOnlyList<T> rows)
            where T : class
        {
            var perRow = _slots.Count / rows.Count;
            for (var i = 0; i < _slots.Count; i++)
            {
                var (property, name) = _slots[i];
                _command!.Parameters[i] = Create(property, name, property.GetGetter().GetClrValue(rows[i / perRow]));
            }
        }

        public void BindValues(IEnumerable<object?> values)
        {
            var i = 0;
            foreach (var value in values)
            {
                var (property, name) = _slots[i];
                _command!.Parameters[i++] = Create(property, name, value);
            }
        }

        public Task<int> ExecuteAsync(CancellationToken cancellationToken) => _command!.ExecuteNonQueryAsync(cancellationToken);

        public Task<DbDataReader> ReadAsync(CancellationToken cancellationToken) => _command!.ExecuteReaderAsync(cancellationToken);

        public ValueTask DisposeAsync() => _command?.DisposeAsync() ?? ValueTask.CompletedTask;

        // A parameter is made for each value, by the type mapping as EF Core makes it (its value converter included), not
        // reused with a new value: some providers size a parameter from the value it is made with (SQL Server gives a
        // null 8,000 bytes, and would cut a longer value short).
        private DbParameter Create(IProperty property, string name, object? value) =>
            property.GetRelationalTypeMapping().CreateParameter(_command!, name, value, property.IsNullable);
    }

    private sealed class Table
    {
        // SQLite looks a named parameter up by a linear scan of the statement's names, so a statement of thousands
        // of parameters costs quadratic time there: it gets one row a statement, kept prepared (no round trip to pay).
        // SQL Server takes at most 2,100 parameters a statement; PostgreSQL 65,535.
        private const int SqlServerParameters = 2000;
        private const int OtherParameters = 30_000;

        private readonly StoreObjectIdentifier _store;
        private readonly ISqlGenerationHelper _sql;
        private readonly bool _sqlite;

        private Table(SharingDbContext db, IEntityType entity)
        {
            _store = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            _sql = db.GetService<ISqlGenerationHelper>();
            _sqlite = db.Database.IsSqlite();
            SqlServer = db.Database.IsSqlServer();
            Name = _sql.DelimitIdentifier(_store.Name, _store.Schema);
            All = [.. entity.GetProperties()];
            GeneratedKey = All.SingleOrDefault(p => p.IsPrimaryKey() && p.ValueGenerated.HasFlag(ValueGenerated.OnAdd) && entity.FindPrimaryKey()!.Properties.Count == 1);
            Written = [.. All.Where(p => p != GeneratedKey)];
        }

        public string Name { get; }

        public bool SqlServer { get; }

        public IReadOnlyList<IProperty> All { get; }

        public IReadOnlyList<IProperty> Written { get; }

        public IProperty? GeneratedKey { get; }

        public static Table Of<T>(SharingDbContext db) =>
            new(db, db.Model.FindEntityType(typeof(T)) ?? throw new ArgumentException($"{typeof(T).Name} is not an entity of the model."));

        public IProperty Property(string name) =>
            All.SingleOrDefault(p => p.Name == name) ?? throw new ArgumentException($"No mapped property {name}.", nameof(name));

        public string Column(IProperty property) => _sql.DelimitIdentifier(property.GetColumnName(_store)!);

        public int RowsPerStatement(int parametersPerRow) =>
            _sqlite ? 1 : Math.Max(1, Math.Min(SqlServer ? 1000 : 5000, (SqlServer ? SqlServerParameters : OtherParameters) / parametersPerRow));
    }
}
