using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Audit;

/// <summary>
/// Reads are recorded before they are served, whatever the log refuses. A pull records each message before it sends
/// it, and sends the next message while the walk goes on (one in flight); events that stand alone are committed in
/// groups. The refusals are triggers in the database, dropped afterwards.
/// </summary>
public sealed class AuditFailureTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task An_event_the_log_refuses_fails_its_own_read_only_not_the_reads_committed_with_it()
    {
        var refused = await fixture.CreateClientAsync();
        var other = await fixture.CreateClientAsync();
        foreach (var client in new[] { refused, other })
        {
            using var connection = client.Connect();
            await connection.Cases.PushCasesAsync(Records.Push(client, Records.Valid(client.CaseName("mine"))));
        }

        const string refusing = """
            CREATE TRIGGER refuse_reads_of_one_client BEFORE INSERT ON audit_events
            WHEN NEW.Action = 'sharing.v1.CaseService/GetCase' AND NEW.Outcome = 'OK' AND NEW.ActorClient = {0}
            BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END;
            """;
        await fixture.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(refusing.Replace("{0}", Quote(refused.ClientId), StringComparison.Ordinal)));
        List<StatusCode> outcomesOfRefused, outcomesOfOther;
        try
        {
            using var refusedConnection = refused.Connect();
            using var otherConnection = other.Connect();
            await refusedConnection.Tokens.GetTokenAsync(TestContext.Current.CancellationToken);
            await otherConnection.Tokens.GetTokenAsync(TestContext.Current.CancellationToken);
            // Many reads of both at once while the test holds the database's write lock, so that their events queue
            // and are committed together once it lets go.
            List<Task<StatusCode>> reads;
            await using (await fixture.HoldWriteLockAsync())
            {
                reads = [.. Enumerable.Range(0, 24).SelectMany(_ => new[] { ReadAsync(refusedConnection, refused), ReadAsync(otherConnection, other) })];
                await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
            }

            await Task.WhenAll(reads);
            outcomesOfRefused = [.. reads.Where((_, i) => i % 2 == 0).Select(r => r.Result)];
            outcomesOfOther = [.. reads.Where((_, i) => i % 2 == 1).Select(r => r.Result)];
        }
        finally
        {
            await fixture.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("DROP TRIGGER refuse_reads_of_one_client;"));
        }

        Assert.All(outcomesOfRefused, s => Assert.Equal(StatusCode.Internal, s));
        Assert.All(outcomesOfOther, s => Assert.Equal(StatusCode.OK, s));
        var recorded = await fixture.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .CountAsync(e => e.ActorClient == other.ClientId && e.Action == "sharing.v1.CaseService/GetCase" && e.Outcome == "OK"));
        Assert.Equal(24, recorded);
    }

    private static async Task<StatusCode> ReadAsync(Client.SharingConnection connection, TestClient client)
    {
        try
        {
            await connection.Cases.GetCaseAsync(new GetCaseRequest { Name = client.CaseName("mine") });
            return StatusCode.OK;
        }
        catch (RpcException failure)
        {
            return failure.StatusCode;
        }
    }

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
