using System.Data.Common;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Cases;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Demo;
using SharingPlatform.Server.Identity;
using SharingPlatform.Server.Tenants;

namespace SharingPlatform.Server.Hosting;

public static class StartupExtensions
{
    /// <summary><c>--demo</c> is a switch; configuration wants key=value.</summary>
    public static string[] TranslateSwitches(string[] args) =>
        [.. args.Select(a => a == "--demo" ? "--Demo:Enabled=true" : a)];

    private static StartRefusedException Damaged(SharingDbContext db, string damage) => new(
        $"The database ({Where(db)}) is damaged: {damage}. Nothing was changed. Restore it from its backup (see README, Backups) "
        + "and start again; the audit chain and a checkpoint kept before the damage verify a restored copy.");

    /// <summary>The start-up failure <paramref name="failed"/> stands for, or null for a fault that is not the operator's to fix (a bug: it keeps its stack trace).</summary>
    public static StartRefusedException? AsRefusal(Exception failed) => failed switch
    {
        StartRefusedException refused => refused,
        OptionsValidationException invalid => new(string.Join(" ", invalid.Failures), StartExitCodes.Configuration),
        AggregateException { InnerExceptions: var all } when all.All(e => e is OptionsValidationException) =>
            new(string.Join(" ", all.SelectMany(e => ((OptionsValidationException)e).Failures)), StartExitCodes.Configuration),
        // Kestrel's own bind, when a port was taken after PortProbe tried it.
        IOException { InnerException: AddressInUseException } => PortProbe.Unavailable("A listener's port was taken while the server started"),
        _ => null,
    };

    /// <summary>Says why the server did not start: through its logger once it has one, else on standard error.</summary>
    public static void ReportRefusal(WebApplication? app, StartRefusedException refused)
    {
        if (app is not null)
        {
            Log.StartRefused(app.Logger, refused.Message);
        }
        else
        {
            Console.Error.WriteLine($"crit: The server did not start: {refused.Message}");
        }
    }

    /// <summary>
    /// Checks what the data directory and the database hold (<see cref="PlatformStart"/>), loads the keys (creating
    /// them at a first start only), migrates, bootstraps the platform-admin client on a first start and seeds demo data
    /// if asked. Before any of it, every setting is validated and every listener's port tried, so that a start that
    /// cannot succeed writes nothing. Throws <see cref="StartRefusedException"/> when it must not go on.
    /// </summary>
    public static async Task InitializeAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        // Runs every ValidateOnStart now, not when the host starts after the database was migrated.
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        if (app.Services.GetRequiredService<IServer>().GetType().Assembly == typeof(KestrelServerOptions).Assembly)
        {
            PortProbe.ThrowIfUnavailable(app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value);
        }

        try
        {
            await StartAsync(app, cancellationToken);
        }
        catch (Exception full) when (StorageErrors.IsFull(full))
        {
            // A usual start writes nothing and comes up on a full disk (and /healthz says storage-full); this one had to.
            throw new StartRefusedException(
                "The storage is full, and this start has to write (a first start, a migration or an upgrade). Nothing was lost. Free space on the volume of the database and the data directory, then start again.");
        }

        var endpoints = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        var identity = app.Services.GetRequiredService<IOptions<IdentityServerOptions>>().Value;
        Log.IdentityListening(app.Logger, IdentityExtensions.Issuer(identity, endpoints));
        Log.GrpcListening(app.Logger, endpoints.GrpcUrl);
    }

    /// <summary>
    /// Opens one connection first, straight through the provider (no EF Core retries or error log): a database that
    /// cannot be reached fails the start here, with exit code 5, before anything is written.
    /// </summary>
    private static async Task EnsureReachableAsync(SharingDbContext db, CancellationToken cancellationToken)
    {
        DbConnection connection;
        try
        {
            connection = db.Database.GetDbConnection();
        }
        catch (ArgumentException)
        {
            // The provider's message may quote the string, password included: name the setting only.
            throw new StartRefusedException("Database:ConnectionString is not a valid connection string for Database:Provider.", StartExitCodes.Configuration);
        }

        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception unreachable) when (unreachable is DbException or TimeoutException && !StorageErrors.IsFull(unreachable) && !DatabaseIntegrity.IsDamage(unreachable))
        {
            // The provider's message names host, port, database or role, never the password.
            throw new StartRefusedException(
                $"The database ({Where(db)}) cannot be reached: {unreachable.Message.TrimEnd('.')}. Nothing was written. Check Database:ConnectionString "
                + "and that the database server is up and lets this role in; the server can be restarted once it is.",
                StartExitCodes.DatabaseUnreachable);
        }
        finally
        {
            await connection.CloseAsync();
        }
    }

    /// <summary>
    /// A database that a newer server migrated holds a schema this build does not know: writing to it could lose what
    /// the newer columns mean. Refuse, and say that going back needs the backup taken before the upgrade.
    /// </summary>
    private static async Task RefuseNewerSchemaAsync(SharingDbContext db, CancellationToken cancellationToken)
    {
        var unknown = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).Except(db.Database.GetMigrations()).ToList();
        if (unknown.Count > 0)
        {
            throw new StartRefusedException(
                $"The database ({Where(db)}) was upgraded by a newer version of the server: it has {unknown.Count} migration(s) this version does not know "
                + $"({string.Join(", ", unknown.Take(3))}). Nothing was changed. Run that newer version; to go back to this one, restore the backup taken before the upgrade (see docs/deploy.md, Upgrades).");
        }
    }

    private static string Where(SharingDbContext db) => SqliteFiles.FilePath(db) ?? "Database:ConnectionString";

    private static async Task StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        var platform = app.Services.GetRequiredService<IOptions<PlatformOptions>>().Value;
        DataDirectory.Ensure(platform.DataDirectory);
        var keys = app.Services.GetRequiredService<KeyRing>();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SharingDbContext>();
            await EnsureReachableAsync(db, cancellationToken);
            SqliteFiles.RestrictToOwner(db, app.Logger);
            try
            {
                using var startLock = await SqliteStartLock.AcquireAsync(db, TimeSpan.FromMinutes(2), app.Logger, cancellationToken);
                await using var replicaLock = await PostgresStartLock.AcquireAsync(db, TimeSpan.FromMinutes(2), app.Logger, cancellationToken);
                if (await DatabaseIntegrity.ProblemAsync(db, cancellationToken) is { } damage)
                {
                    throw Damaged(db, damage);
                }

                await RefuseNewerSchemaAsync(db, cancellationToken);
                keys.Load(createMissing: await PlatformStart.CheckAsync(db, keys, platform, cancellationToken));
                if (startLock is not null)
                {
                    await SqliteStartLock.RemoveStaleMigrationLockAsync(db, app.Logger, cancellationToken);
                }

                await db.MigrateAsync(cancellationToken);
            }
            catch (Exception damage) when (DatabaseIntegrity.IsDamage(damage))
            {
                throw Damaged(db, damage.Message);
            }

            app.Services.GetRequiredService<IntegrityWatch>().Record(null);

            if (await CaseScope.FillMissingFactsAsync(db, cancellationToken) is > 0 and var filled)
            {
                Log.CaseFactsFilled(app.Logger, filled);
            }

            await scope.ServiceProvider.GetRequiredService<PlatformBootstrap>().RunAsync(cancellationToken);
            PlatformStart.MarkInitialised(keys);
            // A damaged end of the audit chain does not stop the start: the server refuses calls and says why (health,
            // log), and auditors can still run VerifyAuditChain to find the damage.
            var chain = app.Services.GetRequiredService<AuditChain>();
            var faulted = await chain.CheckHeadAsync(db, cancellationToken) is not null;
            var auditDisabled = app.Services.GetRequiredService<IOptions<AuditOptions>>().Value.Disabled;
            if (!faulted && !auditDisabled && await AuditKeyAnnouncement.AnnounceStagedAsync(keys, chain,
                    scope.ServiceProvider.GetRequiredService<AuditLog>(), cancellationToken) is { } announced)
            {
                Log.AuditKeyAnnounced(app.Logger, announced);
            }

            if (app.Services.GetRequiredService<IOptions<DemoOptions>>().Value.Enabled && !faulted)
            {
                await scope.ServiceProvider.GetRequiredService<DemoSeed>().RunAsync(cancellationToken);
            }
        }

        if (app.Services.GetRequiredService<IOptions<AuditOptions>>().Value.Disabled)
        {
            Log.AuditDisabled(app.Logger, app.Environment.EnvironmentName);
        }
    }
}
