using Grpc.Core;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Sharing;

/// <summary>
/// A tombstone names a record, so it may reach a grantee only for a record it could have held: one of whose
/// revisions matched an agreement that was live while that revision was current, before the grantee's cursor.
/// </summary>
public abstract class TombstoneTests(PlatformFixture fixture)
{
    private Task<SharingParties> PartiesAsync() => SharingParties.CreateAsync(fixture);

    /// <summary>Pushes <paramref name="records"/> (updates based on <paramref name="etags"/>); returns each record's new etag.</summary>
    private static async Task<Dictionary<string, string>> PushAsync(TestClient owner, IEnumerable<CaseRecord> records, Dictionary<string, string>? etags = null)
    {
        var batch = records.ToArray();
        foreach (var record in batch)
        {
            record.Etag = etags?.GetValueOrDefault(record.Name) ?? "";
        }

        using var connection = owner.Connect();
        var results = await connection.Cases.PushCasesAsync(Records.Push(owner, batch));
        Assert.All(results.Results, r => Assert.Contains(r.Outcome, new[] { PushOutcome.Created, PushOutcome.Updated }));
        return results.Results.ToDictionary(r => r.Name, r => r.Etag);
    }

    private static IEnumerable<CaseRecord> Many(TestClient owner, string prefix, int count, CaseStatus status, ConsentScope consent = ConsentScope.Partners) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var record = Records.Valid(owner.CaseName($"{prefix}-{i}"), status);
            record.ConsentScope = consent;
            return record;
        });

    [Fact]
    public async Task Records_pushed_after_an_agreement_ended_are_never_named_by_a_later_narrow_agreement()
    {
        var p = await PartiesAsync();
        var earlier = await p.GrantAsync();
        using var grantee = p.Grantee.Connect();
        var (_, cursor, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent);
        await p.RevokeAsync(earlier);
        await PushAsync(p.GrantorSync, Many(p.GrantorSync, "safe", 25, CaseStatus.Safe));

        var (whileNothingShared, cursor2, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor);
        var narrow = await p.GrantAsync([CaseStatus.Detained]);
        var (underNarrow, cursor3, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor2);
        await p.RevokeAsync(narrow);
        var (afterRevoke, _, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor3);

        Assert.Empty(whileNothingShared);
        Assert.Empty(underNarrow);
        Assert.Empty(afterRevoke);
    }

    [Fact]
    public async Task A_record_whose_consent_was_withdrawn_before_any_agreement_is_never_named()
    {
        var p = await PartiesAsync();
        using var grantee = p.Grantee.Connect();
        var (_, cursor, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent);
        var etags = await PushAsync(p.GrantorSync, Many(p.GrantorSync, "consent", 10, CaseStatus.Detained));
        var (_, cursor2, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor);
        await PushAsync(p.GrantorSync, Many(p.GrantorSync, "consent", 10, CaseStatus.Detained, ConsentScope.None), etags);
        var agreement = await p.GrantAsync();

        var (shared, cursor3, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor2);
        await p.RevokeAsync(agreement);
        var (afterRevoke, _, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor3);

        Assert.Empty(shared);
        Assert.Empty(afterRevoke);
    }

    [Fact]
    public async Task A_record_retracted_while_nothing_was_shared_is_never_named()
    {
        var p = await PartiesAsync();
        var earlier = await p.GrantAsync([CaseStatus.Released]);
        using var grantee = p.Grantee.Connect();
        var (_, cursor, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent);
        await p.RevokeAsync(earlier);
        await PushAsync(p.GrantorSync, Many(p.GrantorSync, "gone", 1, CaseStatus.Detained));
        using (var owner = p.GrantorSync.Connect())
        {
            await owner.Cases.RetractCaseAsync(new RetractCaseRequest { Name = p.GrantorSync.CaseName("gone-0") });
        }

        var agreement = await p.GrantAsync();
        var (underNew, cursor2, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor);
        await p.RevokeAsync(agreement);
        var (afterRevoke, _, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor2);

        Assert.Empty(underNew);
        Assert.Empty(afterRevoke);
    }

    [Fact]
    public async Task An_agreement_created_and_revoked_between_two_pulls_names_nothing()
    {
        var p = await PartiesAsync();
        await PushAsync(p.GrantorSync, Many(p.GrantorSync, "a", 5, CaseStatus.Detained));
        using var grantee = p.Grantee.Connect();
        var (_, cursor, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent);
        // Live only while the grantee did not pull: it cannot hold anything it shared.
        await p.RevokeAsync(await p.GrantAsync());

        var (changes, _, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor);

        Assert.Empty(changes);
    }

    [Fact]
    public async Task Every_due_tombstone_still_arrives_after_an_interrupted_backfill()
    {
        var p = await PartiesAsync();
        await PushAsync(p.GrantorSync, Many(p.GrantorSync, "b", 30, CaseStatus.Detained));
        using var grantee = p.Grantee.Connect();
        var (_, cursor, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent);
        var agreement = await p.GrantAsync();
        // The backfill is cut after its first message; the grantee keeps what that message carried and its cursor.
        var received = new List<Change>();
        using (var call = grantee.Cases.PullChanges(new PullChangesRequest { Parent = p.Grantee.Parent, Cursor = cursor, BatchSize = 10 }))
        {
            Assert.True(await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
            received.AddRange(call.ResponseStream.Current.Changes);
            cursor = call.ResponseStream.Current.NextCursor;
        }

        await p.RevokeAsync(agreement);
        var (afterRevoke, _, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor);

        Assert.Equal(10, received.Count);
        Assert.Superset(received.Select(c => c.Name).ToHashSet(), afterRevoke.Where(c => c.Tombstone is not null).Select(c => c.Name).ToHashSet());
        Assert.All(afterRevoke, c => Assert.Equal(TombstoneReason.NoLongerShared, c.Tombstone.Reason));
    }

    [Fact]
    public async Task A_first_pull_spread_over_calls_names_nothing_that_was_shared_only_before_it_began()
    {
        var p = await PartiesAsync();
        var agreement = await p.GrantAsync();
        await PushAsync(p.GrantorSync, Many(p.GrantorSync, "before", 10, CaseStatus.Detained));
        await p.RevokeAsync(agreement);
        // The grantee never pulled while the agreement was live. Its first pull is cut into calls of one change (its own
        // records); between its calls the grantor retracts what it once shared, so later calls judge those records.
        await PushAsync(p.Grantee, Many(p.Grantee, "own", 3, CaseStatus.Detained));
        using var grantee = p.Grantee.Connect();
        var (received, cursor, caughtUp) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, "", maxChanges: 1);
        using (var owner = p.GrantorSync.Connect())
        {
            foreach (var i in Enumerable.Range(0, 10))
            {
                await owner.Cases.RetractCaseAsync(new RetractCaseRequest { Name = p.GrantorSync.CaseName($"before-{i}") });
            }
        }

        while (!caughtUp)
        {
            (var changes, cursor, caughtUp) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor, maxChanges: 1);
            received.AddRange(changes);
        }

        Assert.Equal(Enumerable.Range(0, 3).Select(i => p.Grantee.CaseName($"own-{i}")).Order(StringComparer.Ordinal), received.Select(c => c.Name).Order(StringComparer.Ordinal));
    }
}

public sealed class SqliteTombstoneTests(SqliteFixture fixture) : TombstoneTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresTombstoneTests(PostgresFixture fixture) : TombstoneTests(fixture), IClassFixture<PostgresFixture>;
