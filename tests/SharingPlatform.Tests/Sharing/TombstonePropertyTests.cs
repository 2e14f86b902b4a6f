extern alias server;

using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Sharing;

/// <summary>
/// Random histories of records and agreements (created, narrowed by revoking and creating another, revoked,
/// expired) with a grantee pulling, sometimes cut short, at random moments. A model of the rules runs beside the
/// real server and checks, after every step, both directions of the tombstone rule:
/// <list type="bullet">
/// <item>no leak: every name the grantee ever learns (record or tombstone) names a record it was entitled to at some
/// time (its current version matched an agreement live at that time);</item>
/// <item>nothing stale: after every complete pull, the grantee holds exactly the records it is entitled to now, so
/// every due tombstone arrived and every grant was backfilled.</item>
/// </list>
/// </summary>
public abstract class TombstonePropertyTests(PlatformFixture fixture)
{
    private static readonly CaseStatus[] Statuses = [CaseStatus.Detained, CaseStatus.Released, CaseStatus.Safe];

    private sealed class ModelRecord
    {
        public required string Name { get; init; }

        public string Etag { get; set; } = "";

        public CaseStatus Status { get; set; }

        public Classification Classification { get; set; }

        public ConsentScope Consent { get; set; }

        public bool Retracted { get; set; }
    }

    private sealed class ModelAgreement
    {
        public required string Name { get; init; }

        public required CaseStatus[] Statuses { get; init; }

        public required Classification MaxClassification { get; init; }

        public required DateTime ValidUntil { get; init; }

        public bool Revoked { get; set; }

        public bool Matches(ModelRecord r) =>
            !r.Retracted && r.Consent == ConsentScope.Partners && r.Classification <= MaxClassification
            && (Statuses.Length == 0 || Statuses.Contains(r.Status));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task A_grantee_learns_only_names_it_was_entitled_to_and_keeps_nothing_stale(int seed)
    {
        var random = new Random(seed);
        var ct = TestContext.Current.CancellationToken;
        var grantorSync = await fixture.CreateClientAsync();
        var grantorAdmin = await fixture.CreateClientAsync(grantorSync.TenantSlug, "tenant-admin");
        var granteeClient = await fixture.CreateClientAsync();
        using var owner = grantorSync.Connect();
        using var admin = grantorAdmin.Connect();
        using var grantee = granteeClient.Connect();

        var records = Enumerable.Range(0, 12).Select(i => new ModelRecord { Name = grantorSync.CaseName($"r{i}") }).ToList();
        var created = new HashSet<string>();
        var agreements = new List<ModelAgreement>();
        var view = new HashSet<string>();
        var learned = new HashSet<string>();
        var entitledEver = new HashSet<string>();
        var cursor = "";
        var completePulls = 0;

        // Tombstones compare server times with a tolerance for replicas' clocks, so a name may be learned from a
        // record that matched an agreement up to that tolerance after it expired.
        HashSet<string> Entitled(DateTime at, TimeSpan tolerance = default) =>
        [
            .. records.Where(r => created.Contains(r.Name) && agreements.Any(a => !a.Revoked && a.ValidUntil + tolerance > at && a.Matches(r))).Select(r => r.Name),
        ];

        for (var step = 0; step < 45; step++)
        {
            var before = DateTime.UtcNow;
            var roll = random.Next(100);
            bool? pulledCompletely = null;
            if (roll < 35)
            {
                var batch = records.Where(r => !r.Retracted).OrderBy(_ => random.Next()).Take(random.Next(1, 5)).ToList();
                var request = Records.Push(grantorSync);
                foreach (var r in batch)
                {
                    r.Status = Statuses[random.Next(Statuses.Length)];
                    r.Classification = random.Next(4) == 0 ? Classification.Confidential : Classification.Restricted;
                    r.Consent = random.Next(5) == 0 ? ConsentScope.None : ConsentScope.Partners;
                    var record = Records.Valid(r.Name, r.Status);
                    record.Classification = r.Classification;
                    record.ConsentScope = r.Consent;
                    record.Etag = r.Etag;
                    request.Records.Add(record);
                }

                var response = await owner.Cases.PushCasesAsync(request, cancellationToken: ct);
                foreach (var result in response.Results)
                {
                    Assert.Contains(result.Outcome, new[] { PushOutcome.Created, PushOutcome.Updated, PushOutcome.Unchanged });
                    records.Single(r => r.Name == result.Name).Etag = result.Etag;
                    created.Add(result.Name);
                }
            }
            else if (roll < 40 && records.FirstOrDefault(r => created.Contains(r.Name) && !r.Retracted) is { } victim)
            {
                await owner.Cases.RetractCaseAsync(new RetractCaseRequest { Name = victim.Name }, cancellationToken: ct);
                victim.Retracted = true;
            }
            else if (roll < 55)
            {
                var statuses = Statuses.Where(_ => random.Next(2) == 0).ToArray();
                var shortLived = random.Next(10) < 3;
                var agreement = Agreements.To(granteeClient);
                agreement.Filter = new AgreementFilter
                {
                    Statuses = { statuses },
                    MaxClassification = random.Next(2) == 0 ? Classification.Confidential : Classification.Restricted,
                };
                agreement.ValidUntil = Timestamp.FromDateTime(shortLived ? DateTime.UtcNow.AddSeconds(2) : DateTime.UtcNow.AddYears(1));
                var stored = await admin.Sharing.CreateAgreementAsync(Agreements.Create(grantorAdmin, agreement), cancellationToken: ct);
                agreements.Add(new ModelAgreement
                {
                    Name = stored.Name,
                    Statuses = statuses,
                    MaxClassification = agreement.Filter.MaxClassification,
                    ValidUntil = stored.ValidUntil.ToDateTime(),
                });
            }
            else if (roll < 65 && agreements.Where(a => !a.Revoked).OrderBy(_ => random.Next()).FirstOrDefault() is { } revoked)
            {
                await admin.Sharing.RevokeAgreementAsync(new RevokeAgreementRequest { Name = revoked.Name }, cancellationToken: ct);
                revoked.Revoked = true;
            }
            else if (roll < 93)
            {
                var interrupted = random.Next(4) == 0;
                using var call = grantee.Cases.PullChanges(
                    new PullChangesRequest { Parent = granteeClient.Parent, Cursor = cursor, BatchSize = interrupted ? 2 : 0 }, cancellationToken: ct);
                var caughtUp = false;
                while (await call.ResponseStream.MoveNext(ct))
                {
                    var message = call.ResponseStream.Current;
                    foreach (var change in message.Changes.Where(c => c.Name.StartsWith(grantorSync.Parent + "/", StringComparison.Ordinal)))
                    {
                        learned.Add(change.Name);
                        if (change.Record is not null)
                        {
                            view.Add(change.Name);
                        }
                        else
                        {
                            view.Remove(change.Name);
                        }
                    }

                    cursor = message.NextCursor;
                    caughtUp = message.CaughtUp;
                    if (interrupted)
                    {
                        break;
                    }
                }

                pulledCompletely = caughtUp;
            }
            else
            {
                await Task.Delay(TimeSpan.FromSeconds(1.2), ct);
            }

            var after = DateTime.UtcNow;
            // Entitled at some time during this step: judged at its start, when every agreement live during it still was.
            var entitledNow = Entitled(before);
            entitledEver.UnionWith(Entitled(before, server::SharingPlatform.Server.Sharing.AgreementPolicy.ClockTolerance));
            Assert.Subset(entitledEver, learned);

            // Exact only when no agreement expired during the pull itself.
            if (pulledCompletely == true && entitledNow.SetEquals(Entitled(after)))
            {
                completePulls++;
                Assert.Equal(entitledNow.Order(), view.Order());
            }
        }

        Assert.True(completePulls >= 3, $"only {completePulls} complete pulls were checked");
    }
}

public sealed class SqliteTombstonePropertyTests(SqliteFixture fixture) : TombstonePropertyTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresTombstonePropertyTests(PostgresFixture fixture) : TombstonePropertyTests(fixture), IClassFixture<PostgresFixture>;
