namespace SharingPlatform.Server.Data;

/// <summary>Section <c>Database</c>: which provider and where.</summary>
public sealed class DatabaseOptions : System.ComponentModel.DataAnnotations.IValidatableObject
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Provider connection string; for SQLite, empty means <c>{DataDirectory}/sharing.db</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How often the health check repeats the database's sanity check (<see cref="DatabaseIntegrity"/>); it also runs at every start.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan IntegrityCheckInterval { get; set; } = TimeSpan.FromMinutes(10);

    public IEnumerable<System.ComponentModel.DataAnnotations.ValidationResult> Validate(System.ComponentModel.DataAnnotations.ValidationContext validationContext)
    {
        if (Provider != DatabaseProvider.Sqlite && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new($"The field ConnectionString is required for {Provider}.", [nameof(ConnectionString)]);
        }
    }
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
    SqlServer,
}
