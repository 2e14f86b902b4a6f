using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SharingPlatform.Server.Hosting;

namespace SharingPlatform.Server.Data;

public static class StorageExtensions
{
    /// <summary>Registers <see cref="SharingDbContext"/> on the configured provider (SQLite by default).</summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        // Following pulls wake on this process's change signal; each provider pulses it its own way (see ChangeSignal).
        builder.Services.AddSingleton<ChangeSignal>();
        builder.Services.AddSingleton<CommitPulse>();
        builder.Services.AddSingleton<StorageState>();
        builder.Services.AddSingleton<Housekeeping>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Housekeeping>());
        switch (database.Provider)
        {
            case DatabaseProvider.Sqlite:
                builder.Services.AddDbContext<SharingDbContext, SqliteSharingDbContext>((services, options) =>
                    Configure(options.UseSqlite(SqliteConnectionString(database, services.GetRequiredService<IOptions<PlatformOptions>>().Value)))
                        .AddInterceptors(services.GetRequiredService<CommitPulse>()));
                break;
            case DatabaseProvider.Postgres:
                builder.Services.AddDbContext<SharingDbContext, PostgresSharingDbContext>(options =>
                    Configure(options.UseNpgsql(Required(database))));
                builder.Services.AddHostedService<PostgresChangeListener>();
                break;
            case DatabaseProvider.SqlServer:
                builder.Services.AddDbContext<SharingDbContext, SqlServerSharingDbContext>((services, options) =>
                    Configure(options.UseSqlServer(Required(database))).AddInterceptors(services.GetRequiredService<CommitPulse>()));
                builder.Services.AddHostedService<CommittedSequenceWatch>();
                break;
            default:
                throw new StartRefusedException($"Database:Provider must be one of {string.Join(", ", Enum.GetNames<DatabaseProvider>())}.", StartExitCodes.Configuration);
        }

        return builder;
    }

    /// <summary>Creates or upgrades the schema; safe to run from several replicas at once (EF Core takes a migration lock).</summary>
    public static async Task MigrateAsync(this SharingDbContext db, CancellationToken cancellationToken)
    {
        // Only when there is something to do: taking EF Core's migration lock is a write, and a server must be able
        // to start (and say so) on a full disk.
        if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
        {
            await db.Database.MigrateAsync(cancellationToken);
        }

        if (db.Database.IsSqlite())
        {
            // WAL lets pullers read while a push writes; the setting is kept in the database file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    private static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options)
    {
        options.UseOpenIddict();
        // Never log parameter values: they are case data.
        return options.EnableSensitiveDataLogging(false);
    }

    private static string SqliteConnectionString(DatabaseOptions database, PlatformOptions platform) =>
        string.IsNullOrWhiteSpace(database.ConnectionString)
            ? $"Data Source={Path.Combine(platform.DataDirectory, "sharing.db")};Pooling=True"
            : database.ConnectionString;

    private static string Required(DatabaseOptions database) =>
        string.IsNullOrWhiteSpace(database.ConnectionString)
            ? throw new StartRefusedException($"Database:ConnectionString is required for {database.Provider}.", StartExitCodes.Configuration)
            : database.ConnectionString;
}
