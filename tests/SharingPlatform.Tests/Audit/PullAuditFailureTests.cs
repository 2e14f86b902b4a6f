using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Audit;

/// <summary>
/// A pull records each message before it sends it, and sends the next message while the walk goes on (one in
/// flight). When the audit log refuses a message, the pull must stop there: the grantee holds exactly the records
/// the log says it read, and the call fails. The refusal is a trigger in the database, dropped afterwards.
/// </summary>
public sealed class PullAuditFailureTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task A_pull_whose_audit_append_fails_stops_and_nothing_unrecorded_reaches_the_grantee()
    {
        var grantor = await fixture.CreateClientAsync(null, "sync", "tenant-admin");
        var grantee = await fixture.CreateClientAsync();
        using (var connection = grantor.Connect())
        {
            await connection.Sharing.CreateAgreementAsync(Agreements.Create(grantor, Agreements.To(grantee)));
            await connection.Cases.PushCasesAsync(Records.Push(grantor, [.. Enumerable.Range(0, 6).Select(i => Records.Valid(grantor.CaseName($"r-{i}")))]));
        }

        // The log accepts this client's first two pull messages and refuses every later one (its failure event still goes in).
        const string refusing = """
            CREATE TRIGGER refuse_third_pull_message BEFORE INSERT ON audit_events
            WHEN NEW.Action = 'sharing.v1.CaseService/PullChanges' AND NEW.Outcome = 'OK' AND NEW.ActorClient = {0}
                AND (SELECT count(*) FROM audit_events WHERE Action = NEW.Action AND Outcome = 'OK' AND ActorClient = NEW.ActorClient) >= 2
            BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END;
            """;
        await fixture.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(refusing.Replace("{0}", Quote(grantee.ClientId), StringComparison.Ordinal)));
        var received = new List<string>();
        RpcException failure;
        try
        {
            using var connection = grantee.Connect();
            using var call = connection.Cases.PullChanges(new PullChangesRequest { Parent = grantee.Parent, BatchSize = 1 });
            failure = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                await foreach (var message in call.ResponseStream.ReadAllAsync())
                {
                    received.AddRange(message.Changes.Select(c => c.Name));
                }
            });
        }
        finally
        {
            await fixture.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("DROP TRIGGER refuse_third_pull_message;"));
        }

        Assert.Equal(StatusCode.Internal, failure.StatusCode);
        var recorded = await fixture.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.ActorClient == grantee.ClientId && e.Action == "sharing.v1.CaseService/PullChanges").OrderBy(e => e.Seq).ToListAsync());
        var delivered = recorded.Where(e => e.Outcome == "OK").SelectMany(e => e.ResourceList).ToList();
        Assert.Equal(2, delivered.Count);
        Assert.Equal(delivered, received);
        Assert.Contains(recorded, e => e.Outcome == "INTERNAL");
    }

    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
