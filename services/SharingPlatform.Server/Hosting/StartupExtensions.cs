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

    /// <summary>Migrates the database, bootstraps the platform-admin client on first start and seeds demo data if asked.</summary>
    public static async Task InitializeAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        DataDirectory.Ensure(app.Services.GetRequiredService<IOptions<PlatformOptions>>().Value.DataDirectory);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SharingDbContext>();
            SqliteFiles.RestrictToOwner(db, app.Logger);
            await db.MigrateAsync(cancellationToken);
            if (await CaseScope.FillMissingFactsAsync(db, cancellationToken) is > 0 and var filled)
            {
                Log.CaseFactsFilled(app.Logger, filled);
            }

            await scope.ServiceProvider.GetRequiredService<PlatformBootstrap>().RunAsync(cancellationToken);
            if (app.Services.GetRequiredService<IOptions<DemoOptions>>().Value.Enabled)
            {
                await scope.ServiceProvider.GetRequiredService<DemoSeed>().RunAsync(cancellationToken);
            }
        }

        if (app.Services.GetRequiredService<IOptions<AuditOptions>>().Value.Disabled)
        {
            Log.AuditDisabled(app.Logger, app.Environment.EnvironmentName);
        }

        var endpoints = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        var identity = app.Services.GetRequiredService<IOptions<IdentityServerOptions>>().Value;
        Log.IdentityListening(app.Logger, IdentityExtensions.Issuer(identity, endpoints));
        Log.GrpcListening(app.Logger, endpoints.GrpcUrl);
    }
}
