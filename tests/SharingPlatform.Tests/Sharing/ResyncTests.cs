extern alias server;

using System.Buffers.Binary;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using ServerCursor = server::SharingPlatform.Server.Cases.PullCursor;

namespace SharingPlatform.Tests.Sharing;

/// <summary>
/// After an agreement change the feed re-judges the grantor's older records (a resync). It honours max_changes,
/// carries its progress in every message's cursor, resumes after a dropped call without resending what was
/// delivered, starts over when overtaken by another change, and resends only what the change affected.
/// </summary>
public abstract class ResyncTests(PlatformFixture fixture)
{
    private static async Task PushAsync(TestClient owner, string prefix, int count, CaseStatus status)
    {
        using var connection = owner.Connect();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(500))
        {
            var response = await connection.Cases.PushCasesAsync(Records.Push(owner, [.. chunk.Select(i => Records.Valid(owner.CaseName($"{prefix}-{i}"), status))]));
            Assert.All(response.Results, r => Assert.Equal(PushOutcome.Created, r.Outcome));
        }
    }

    /// <summary>A grantee that has pulled (nothing yet shared) and the cursor it holds.</summary>
    private async Task<(SharingParties Parties, string Cursor)> CaughtUpGranteeAsync(int released = 0, int detained = 40)
    {
        var p = await SharingParties.CreateAsync(fixture);
        await PushAsync(p.GrantorSync, "d", detained, CaseStatus.Detained);
        await PushAsync(p.GrantorSync, "r", released, CaseStatus.Released);
        using var grantee = p.Grantee.Connect();
        var (changes, cursor, caughtUp) = await grantee.Cases.PullAllAsync(p.Grantee.Parent);
        Assert.Empty(changes);
        Assert.True(caughtUp);
        return (p, cursor);
    }

    [Fact]
    public async Task A_backfill_honours_max_changes_and_each_call_goes_on_where_the_last_ended()
    {
        var (p, cursor) = await CaughtUpGranteeAsync();
        await p.GrantAsync();
        using var grantee = p.Grantee.Connect();

        var seen = new List<string>();
        var calls = 0;
        for (var caughtUp = false; !caughtUp; calls++)
        {
            Assert.True(calls < 20, "the backfill does not end");
            (var changes, cursor, caughtUp) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor, batchSize: 3, maxChanges: 7);
            Assert.InRange(changes.Count, 0, 7);
            seen.AddRange(changes.Select(c => c.Name));
        }

        Assert.Equal(40, seen.Count);
        Assert.Equal(40, seen.Distinct(StringComparer.Ordinal).Count());
        Assert.True(calls >= 6, $"{calls} calls for 40 changes at 7 per call");
    }

    [Fact]
    public async Task A_backfill_cut_by_a_dropped_call_resumes_after_the_last_message_without_resending_it()
    {
        var (p, cursor) = await CaughtUpGranteeAsync();
        await p.GrantAsync();
        using var grantee = p.Grantee.Connect();
        var first = new List<string>();
        using (var call = grantee.Cases.PullChanges(new PullChangesRequest { Parent = p.Grantee.Parent, Cursor = cursor, BatchSize = 10 }))
        {
            Assert.True(await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
            first.AddRange(call.ResponseStream.Current.Changes.Select(c => c.Name));
            cursor = call.ResponseStream.Current.NextCursor;
        }

        var (rest, _, caughtUp) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor);

        Assert.Equal(10, first.Count);
        Assert.True(caughtUp);
        Assert.Empty(rest.Select(c => c.Name).Intersect(first, StringComparer.Ordinal));
        Assert.Equal(40, first.Concat(rest.Select(c => c.Name)).Distinct(StringComparer.Ordinal).Count());
        Assert.All(rest, c => Assert.NotNull(c.Record));
    }

    [Fact]
    public async Task A_resync_overtaken_by_another_change_starts_over_and_leaves_exactly_what_is_shared_now()
    {
        var (p, cursor) = await CaughtUpGranteeAsync(released: 20, detained: 20);
        var wide = await p.GrantAsync();
        using var grantee = p.Grantee.Connect();
        var held = new Dictionary<string, CaseRecord>(StringComparer.Ordinal);
        using (var call = grantee.Cases.PullChanges(new PullChangesRequest { Parent = p.Grantee.Parent, Cursor = cursor, BatchSize = 10 }))
        {
            Assert.True(await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
            Apply(held, call.ResponseStream.Current.Changes);
            cursor = call.ResponseStream.Current.NextCursor;
        }

        // Mid-resync the wide agreement gives way to one for released records only, with fewer fields.
        await p.GrantAsync([CaseStatus.Released], "status", "events");
        await p.RevokeAsync(wide);
        for (var caughtUp = false; !caughtUp;)
        {
            (var changes, cursor, caughtUp) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor, maxChanges: 9);
            Apply(held, changes);
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => p.GrantorSync.CaseName($"r-{i}")).Order(StringComparer.Ordinal), held.Keys.Order(StringComparer.Ordinal));
        Assert.All(held.Values, r => Assert.True(r.Narrative.Length == 0 && r.SubjectToken.Length == 0 && r.Status == CaseStatus.Released));
    }

    [Fact]
    public async Task A_second_agreement_resends_only_the_records_it_governs_and_through_its_own_fields()
    {
        var (p, cursor) = await CaughtUpGranteeAsync(released: 15, detained: 15);
        await p.GrantAsync([CaseStatus.Detained], "status", "events");
        using var grantee = p.Grantee.Connect();
        var (first, afterFirst, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor);
        Assert.Equal(15, first.Count);

        // A wider agreement on every record: all 30 now go through it (more fields), so all 30 are sent again.
        await p.GrantAsync();
        var (wider, afterWider, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, afterFirst);
        // A narrower one than what governs now changes nothing: nothing is sent.
        await p.GrantAsync([CaseStatus.Released], "status");
        var (narrower, _, caughtUp) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, afterWider);

        Assert.Equal(30, wider.Count);
        Assert.All(wider, c => Assert.True(c.Record.Narrative.Length > 0));
        Assert.Empty(narrower);
        Assert.True(caughtUp);
    }

    [Fact]
    public async Task A_cursor_of_the_previous_version_cut_mid_resync_is_judged_again_in_full()
    {
        // The grantee holds 10 records through a narrow agreement; a wide one starts a resync that delivers 3 of
        // them with every field before the call drops.
        var (p, cursor) = await CaughtUpGranteeAsync(detained: 10);
        await p.GrantAsync(null, "status", "events");
        using var grantee = p.Grantee.Connect();
        var held = new Dictionary<string, CaseRecord>(StringComparer.Ordinal);
        (var narrow, cursor, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor);
        Apply(held, narrow);
        var wide = await p.GrantAsync();
        string mid;
        using (var call = grantee.Cases.PullChanges(new PullChangesRequest { Parent = p.Grantee.Parent, Cursor = cursor, BatchSize = 3 }))
        {
            Assert.True(await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
            Apply(held, call.ResponseStream.Current.Changes);
            mid = call.ResponseStream.Current.NextCursor;
        }

        Assert.Equal(3, held.Values.Count(r => r.Narrative.Length > 0));
        // The same cursor as the previous version wrote it mid-resync (40 bytes: judged at the old point, seen at the new).
        var keys = fixture.Factory.Services.GetRequiredService<server::SharingPlatform.Server.Identity.ServerKeys>();
        var tenantId = await fixture.WithDbAsync(db => db.Tenants.Where(t => t.Slug == p.Grantee.TenantSlug).Select(t => t.Id).SingleAsync());
        Assert.True(ServerCursor.TryParse(mid, keys, tenantId, out var parsed));
        var payload = new byte[40];
        BinaryPrimitives.WriteInt64BigEndian(payload, parsed.Seq);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(8), parsed.JudgedSeq);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(16), parsed.JudgedTime.Ticks);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(24), parsed.SeenSeq);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(32), parsed.SeenTime.Ticks);
        var previous = server::SharingPlatform.Server.Access.SealedToken.Seal(ServerCursor.Key(keys), tenantId, "pull-cursor"u8, payload);

        await p.RevokeAsync(wide);
        var (changes, _, caughtUp) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, previous);
        Apply(held, changes);

        // Only the narrow agreement is left: the three copies it did not project come again through it.
        Assert.True(caughtUp);
        Assert.Equal(10, held.Count);
        Assert.All(held.Values, r => Assert.Empty(r.Narrative));
    }

    private static void Apply(Dictionary<string, CaseRecord> held, IEnumerable<Change> changes)
    {
        foreach (var change in changes)
        {
            if (change.Record is { } record)
            {
                held[change.Name] = record;
            }
            else
            {
                held.Remove(change.Name);
            }
        }
    }
}

public sealed class SqliteResyncTests(SqliteFixture fixture) : ResyncTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresResyncTests(PostgresFixture fixture) : ResyncTests(fixture), IClassFixture<PostgresFixture>;
