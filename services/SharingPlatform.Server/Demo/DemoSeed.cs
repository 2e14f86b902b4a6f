using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Cases;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Hosting;
using SharingPlatform.Server.Tenants;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Demo;

/// <summary>
/// <c>--demo</c>: three partner tenants with a sync and a tenant-admin client each (keys under <c>{data}/demo/</c>,
/// as if each partner had sent its public keys) and synthetic
/// records pushed through the same validation and write path as any partner's push.
/// </summary>
public sealed class DemoSeed(
    SharingDbContext db,
    PlatformBootstrap bootstrap,
    CaseWriter writer,
    CaseScope scope,
    AuditChain audit,
    IOptions<DemoOptions> demo,
    IOptions<PlatformOptions> platform,
    TimeProvider time,
    ILogger<DemoSeed> logger)
{
    public static readonly (string Slug, string DisplayName, TenantKind Kind)[] Tenants =
    [
        ("nkdb-demo", "Documentation centre (demo)", V1.TenantKind.Documentation),
        ("rescue-demo", "Rescue network (demo)", V1.TenantKind.Rescue),
        ("un-demo", "UN field office (demo)", V1.TenantKind.Intergovernmental),
    ];

    /// <summary>
    /// Seeds each demo tenant that is missing, and the records of one that a killed start left without them. Safe with
    /// several replicas starting at once: the tenant is made under the change-sequence lock and checked again inside
    /// it (a replica that waited must not replace the key files of the clients another replica just registered), and
    /// the records go in as pushes with fixed request_ids, so a second pusher is answered as a replay.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        for (var index = 0; index < Tenants.Length; index++)
        {
            var (slug, displayName, kind) = Tenants[index];
            var clientId = ClientNames.Format(slug, "sync");
            var directory = Path.Combine(platform.Value.DataDirectory, "demo");
            var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Slug == slug, cancellationToken);
            var created = false;
            if (tenant is null)
            {
                // The tenant, its two clients and the audit event in one transaction: a start killed half-way leaves a
                // whole demo tenant or none (then the next start makes it), never a tenant without its clients.
                await using var unit = await ChangeUnit.BeginAsync(db, cancellationToken);
                tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Slug == slug, cancellationToken);
                if (tenant is null)
                {
                    tenant = new TenantEntity { Slug = slug, DisplayName = displayName, Kind = kind, Status = TenantStatus.Active, CreateTime = time.UtcNow() };
                    db.Tenants.Add(tenant);
                    await db.SaveChangesAsync(cancellationToken);
                    (clientId, directory) = await bootstrap.CreateClientAsync(tenant, "sync", [Roles.Sync], "demo", cancellationToken);
                    var (adminId, _) = await bootstrap.CreateClientAsync(tenant, "admin", [Roles.TenantAdmin], "demo", cancellationToken);
                    await unit.CommitAsync(audit, new AuditEntry("system", "-", "platform.demo-seed", [tenant.ResourceName, clientId, adminId], "", "OK", ""), cancellationToken);
                    created = true;
                }
            }

            var caller = new Caller(clientId, tenant.Id, slug, kind, new HashSet<string> { Roles.Sync });
            var seeded = demo.Value.RecordsPerTenant == 0 || await scope.Readable(CaseScope.OwnView(caller)).AnyAsync(cancellationToken);
            if (seeded && !created)
            {
                continue;
            }

            // Persons overlap between neighbouring tenants, as when two NGOs document the same arrest.
            // The documentation centre writes names in Hangul, the others romanized: linkage works across both.
            var records = seeded ? [] : SyntheticCases.Generate(slug, index * (demo.Value.RecordsPerTenant * 2 / 3), demo.Value.RecordsPerTenant, seed: index + 1, romanized: index > 0).ToList();
            foreach (var (chunk, number) in records.Chunk(CaseWriter.MaxBatch).Select((c, n) => (c, n)))
            {
                var request = new PushCasesRequest { Parent = tenant.ResourceName, RequestId = $"demo-seed-{slug}-{number}", Records = { chunk } };
                await writer.PushAsync(caller, request, cancellationToken);
            }

            Log.DemoTenantSeeded(logger, slug, records.Count, clientId, directory);
        }
    }
}
