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
        $"The database ({SqliteFiles.FilePath(db) ?? "Database:ConnectionString"}) is damaged: {damage}. Nothing was changed. Restore it from its backup (see README, Backups) "
        + "and start again; the audit chain and a checkpoint kept before the damage verify a restored copy.");

    /// <summary>
    /// Checks what the data directory and the database hold (<see cref="PlatformStart"/>), loads the keys (creating
    /// them at a first start only), migrates, bootstraps the platform-admin client on a first start and seeds demo data
    /// if asked. Throws <see cref="StartRefusedException"/> when it must not go on.
    /// </summary>
    public static async Task InitializeAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
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

    private static async Task StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        var platform = app.Services.GetRequiredService<IOptions<PlatformOptions>>().Value;
        DataDirectory.Ensure(platform.DataDirectory);
        var keys = app.Services.GetRequiredService<KeyRing>();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SharingDbContext>();
            SqliteFiles.RestrictToOwner(db, app.Logger);
            try
            {
                using var startLock = await SqliteStartLock.AcquireAsync(db, TimeSpan.FromMinutes(2), app.Logger, cancellationToken);
                if (await DatabaseIntegrity.ProblemAsync(db, cancellationToken) is { } damage)
                {
                    throw Damaged(db, damage);
                }

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
            var faulted = await app.Services.GetRequiredService<AuditChain>().CheckHeadAsync(db, cancellationToken) is not null;
            var auditDisabled = app.Services.GetRequiredService<IOptions<AuditOptions>>().Value.Disabled;
            if (!faulted && !auditDisabled && await AuditKeyAnnouncement.AnnounceStagedAsync(keys, app.Services.GetRequiredService<AuditChain>(),
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
