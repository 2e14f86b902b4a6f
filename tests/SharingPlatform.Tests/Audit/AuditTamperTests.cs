extern alias server;

using Microsoft.EntityFrameworkCore;
using SharingPlatform.Client;
using SharingPlatform.Client.Audit;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using server::SharingPlatform.Server.Audit;

namespace SharingPlatform.Tests.Audit;

/// <summary>
/// An insider edits the audit table directly. The auditor kept a signed checkpoint earlier; exporting and
/// verifying offline (and the server's own check) must fail and name the first event that does not fit.
/// Each test restores the table afterwards.
/// </summary>
public abstract class AuditTamperTests(PlatformFixture fixture)
{
    private async Task<(SharingConnection Auditor, SignedCheckpoint Kept, List<AuditEventEntity> Rows, AuditHead Head)> BaselineAsync()
    {
        var client = await fixture.CreateClientAsync();
        using (var connection = client.Connect())
        {
            for (var i = 0; i < 4; i++)
            {
                await connection.Cases.PushCasesAsync(Records.Push(client, Records.Valid(client.CaseName($"t-{i}"))));
                await connection.Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent });
            }
        }

        var auditor = fixture.ConnectPlatformAdmin();
        var kept = await auditor.Audit.GetCheckpointAsync(new GetCheckpointRequest());
        // The head first (the checkpoint call recorded itself after the checkpoint), then every event up to it.
        var head = await fixture.WithDbAsync(db => db.AuditHeads.AsNoTracking().SingleAsync());
        var rows = await fixture.WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Seq <= head.Size).OrderBy(e => e.Seq).ToListAsync());
        return (auditor, kept, rows, head);
    }

    /// <summary>Replaces the table with <paramref name="rows"/> and the head with <paramref name="head"/> (what an insider with write access can do).</summary>
    private Task<int> RewriteAsync(IEnumerable<AuditEventEntity> rows, long size, byte[] hash) => fixture.WithDbAsync(async db =>
    {
        await db.AuditEvents.ExecuteDeleteAsync();
        db.AuditEvents.AddRange(rows.Select(Copy));
        await db.SaveChangesAsync();
        await db.AuditHeads.ExecuteUpdateAsync(s => s.SetProperty(h => h.Size, size).SetProperty(h => h.Hash, hash));
        return 0;
    });

    private static async Task<(AuditVerification Offline, VerifyAuditChainResponse Server)> VerifyAsync(SharingConnection auditor, SignedCheckpoint kept)
    {
        // Export first: every call is itself audited, and the server's check appends its own event afterwards.
        var exported = await AuditReader.ExportAsync(auditor, kept.Checkpoint.Size);
        var server = await auditor.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        return (AuditVerifier.Verify(exported, kept.PublicJwk, [kept], null), server);
    }

    [Fact]
    public async Task Untouched_log_verifies()
    {
        var (auditor, kept, _, _) = await BaselineAsync();

        var (offline, server) = await VerifyAsync(auditor, kept);

        Assert.True(offline.Intact, offline.Problem);
        Assert.True(server.Intact, server.Problem);
    }

    [Theory]
    [InlineData("actor")]
    [InlineData("action")]
    [InlineData("resources")]
    [InlineData("outcome")]
    [InlineData("time")]
    [InlineData("salt")]
    [InlineData("unsalted")]
    [InlineData("hash")]
    public async Task Changing_any_field_of_an_event_is_found_at_that_event(string field)
    {
        var (auditor, kept, rows, head) = await BaselineAsync();
        var target = rows[(int)kept.Checkpoint.Size / 2];
        var changed = Copy(target);
        switch (field)
        {
            case "actor": changed.ActorClient = changed.ActorClient + "x"; break;
            case "action": changed.Action += "x"; break;
            case "resources": changed.Resources += "\ntenants/x/cases/y"; break;
            case "outcome": changed.Outcome = "NOT_FOUND"; break;
            case "time": changed.Time = changed.Time.AddTicks(10); break;
            case "salt": changed.Salt = [.. changed.Salt.Select((b, i) => i == 0 ? (byte)(b ^ 1) : b)]; break;
            case "unsalted": changed.Salt = []; break;
            default: changed.Hash = [.. changed.Hash.Select((b, i) => i == 0 ? (byte)(b ^ 1) : b)]; break;
        }

        await RewriteAsync(rows.Select(r => r.Seq == target.Seq ? changed : r), head.Size, head.Hash);
        try
        {
            var (offline, server) = await VerifyAsync(auditor, kept);

            Assert.False(offline.Intact);
            Assert.Equal(target.Seq, offline.FirstBadSequence);
            Assert.False(server.Intact);
            Assert.Equal(target.Seq, server.FirstBadSequence);
        }
        finally
        {
            await RewriteAsync(rows, head.Size, head.Hash);
        }
    }

    [Fact]
    public async Task Deleting_an_event_is_found_at_its_sequence()
    {
        var (auditor, kept, rows, head) = await BaselineAsync();
        var gone = rows[(int)kept.Checkpoint.Size / 2].Seq;

        await RewriteAsync(rows.Where(r => r.Seq != gone), head.Size, head.Hash);
        try
        {
            var (offline, server) = await VerifyAsync(auditor, kept);

            Assert.Equal(gone, offline.FirstBadSequence);
            Assert.Equal(gone, server.FirstBadSequence);
        }
        finally
        {
            await RewriteAsync(rows, head.Size, head.Hash);
        }
    }

    [Fact]
    public async Task Inserting_an_event_is_found_right_after_it()
    {
        var (auditor, kept, rows, head) = await BaselineAsync();
        var at = rows[(int)kept.Checkpoint.Size / 2].Seq;
        var forged = Copy(rows[(int)at - 1]);
        forged.ActorClient = "insider";
        var shifted = rows.Select(r => { var c = Copy(r); c.Seq = r.Seq >= at ? r.Seq + 1 : r.Seq; return c; }).Append(forged).ToList();
        forged.ContentDigest = Digest(forged);
        forged.Hash = AuditHashing.ChainHash(forged.PreviousHash, forged.ContentDigest);

        await RewriteAsync(shifted, head.Size + 1, head.Hash);
        try
        {
            var (offline, server) = await VerifyAsync(auditor, kept);

            Assert.Equal(at + 1, offline.FirstBadSequence);
            Assert.Equal(at + 1, server.FirstBadSequence);
        }
        finally
        {
            await RewriteAsync(rows, head.Size, head.Hash);
        }
    }

    [Fact]
    public async Task Swapping_two_events_is_found_at_the_first()
    {
        var (auditor, kept, rows, head) = await BaselineAsync();
        var first = rows[(int)kept.Checkpoint.Size / 2].Seq;
        var swapped = rows.Select(r => { var c = Copy(r); c.Seq = r.Seq == first ? first + 1 : r.Seq == first + 1 ? first : r.Seq; return c; });

        await RewriteAsync(swapped, head.Size, head.Hash);
        try
        {
            var (offline, server) = await VerifyAsync(auditor, kept);

            Assert.Equal(first, offline.FirstBadSequence);
            Assert.Equal(first, server.FirstBadSequence);
        }
        finally
        {
            await RewriteAsync(rows, head.Size, head.Hash);
        }
    }

    [Fact]
    public async Task Truncating_the_tail_after_a_kept_checkpoint_is_found_by_the_auditor_even_when_the_head_is_moved_back()
    {
        var (auditor, kept, rows, head) = await BaselineAsync();
        var keep = (int)kept.Checkpoint.Size - 3;
        var remaining = rows.Take(keep).ToList();

        await RewriteAsync(remaining, remaining[^1].Seq, remaining[^1].Hash);
        try
        {
            var (offline, _) = await VerifyAsync(auditor, kept);

            // That keep + 1 is missing is certain; that the events before it are the ones the checkpoint covered is not.
            Assert.False(offline.Intact);
            Assert.Null(offline.FirstBadSequence);
            Assert.Equal((1L, keep + 1L), (offline.FirstBadFrom, offline.FirstBadTo));
        }
        finally
        {
            await RewriteAsync(rows, head.Size, head.Hash);
        }
    }

    [Fact]
    public async Task Truncating_and_letting_the_server_append_again_is_placed_between_the_kept_checkpoints()
    {
        var early = await fixture.ConnectPlatformAdmin().Audit.GetCheckpointAsync(new GetCheckpointRequest());
        var (auditor, kept, rows, head) = await BaselineAsync();
        var keep = (int)kept.Checkpoint.Size - 3;
        Assert.True(keep > early.Checkpoint.Size);
        var remaining = rows.Take(keep).ToList();

        // The head moved back with its hash, so the server appends the next events on top of the cut as if nothing had happened.
        await RewriteAsync(remaining, remaining[^1].Seq, remaining[^1].Hash);
        try
        {
            for (var i = 0; i < 6; i++)
            {
                await auditor.Audit.GetCheckpointAsync(new GetCheckpointRequest());
            }

            var exported = await AuditReader.ExportAsync(auditor);
            var server = await auditor.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
            var offline = AuditVerifier.Verify(exported, kept.PublicJwk, [early, kept], null);

            Assert.True(exported.Count > kept.Checkpoint.Size);
            Assert.True(server.Intact, server.Problem);
            Assert.False(offline.Intact);
            Assert.Null(offline.FirstBadSequence);
            Assert.Equal((early.Checkpoint.Size + 1, kept.Checkpoint.Size), (offline.FirstBadFrom, offline.FirstBadTo));
        }
        finally
        {
            await RewriteAsync(rows, head.Size, head.Hash);
        }
    }

    [Fact]
    public async Task Replacing_the_chain_with_a_consistent_rewrite_fools_the_server_but_not_the_kept_checkpoint()
    {
        var (auditor, kept, rows, head) = await BaselineAsync();
        var from = (int)kept.Checkpoint.Size / 2;
        var rewritten = new List<AuditEventEntity>();
        var previous = rows[from - 1].Hash;
        foreach (var row in rows)
        {
            var copy = Copy(row);
            if (row.Seq > from)
            {
                copy.ActorClient = "insider";
                copy.PreviousHash = previous;
                copy.ContentDigest = Digest(copy);
                copy.Hash = AuditHashing.ChainHash(copy.PreviousHash, copy.ContentDigest);
            }

            previous = copy.Hash;
            rewritten.Add(copy);
        }

        await RewriteAsync(rewritten, rewritten[^1].Seq, rewritten[^1].Hash);
        try
        {
            var (offline, server) = await VerifyAsync(auditor, kept);

            Assert.True(server.Intact); // every link is consistent: only a checkpoint kept outside can tell
            Assert.False(offline.Intact);
            // A head hash does not say which of the events under it changed.
            Assert.Null(offline.FirstBadSequence);
            Assert.Equal((1L, kept.Checkpoint.Size), (offline.FirstBadFrom, offline.FirstBadTo));
        }
        finally
        {
            await RewriteAsync(rows, head.Size, head.Hash);
        }
    }

    [Fact]
    public async Task Events_written_before_salts_keep_verifying_with_the_old_encoding()
    {
        var (auditor, kept, rows, head) = await BaselineAsync();
        // The table as a database migrated from before salts holds it: older events unsalted, hashed the old way.
        var unsalted = kept.Checkpoint.Size / 2;
        var migrated = new List<AuditEventEntity>();
        var previous = AuditHashing.Genesis;
        foreach (var row in rows)
        {
            var copy = Copy(row);
            copy.Salt = row.Seq <= unsalted ? [] : copy.Salt;
            copy.PreviousHash = previous;
            copy.ContentDigest = Digest(copy);
            copy.Hash = previous = AuditHashing.ChainHash(copy.PreviousHash, copy.ContentDigest);
            migrated.Add(copy);
        }

        await RewriteAsync(migrated, migrated[^1].Seq, migrated[^1].Hash);
        try
        {
            var latest = await auditor.Audit.GetCheckpointAsync(new GetCheckpointRequest());
            var exported = await AuditReader.ExportAsync(auditor, latest.Checkpoint.Size);
            var server = await auditor.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

            Assert.All(exported.Take((int)unsalted), e => Assert.True(e.Salt.IsEmpty));
            Assert.All(exported.Skip((int)unsalted), e => Assert.Equal(AuditHashing.SaltLength, e.Salt.Length));
            var offline = AuditVerifier.Verify(exported, latest.PublicJwk, [], latest);
            Assert.True(offline.Intact, offline.Problem);
            Assert.True(server.Intact, server.Problem);
        }
        finally
        {
            await RewriteAsync(rows, head.Size, head.Hash);
        }
    }

    /// <summary>An insider who knows the scheme (it is public) recomputes digests for the events it forges.</summary>
    private static byte[] Digest(AuditEventEntity e) =>
        AuditHashing.ContentDigest(e.Seq, e.Time, e.ActorClient, e.ActorTenant, e.Action, e.ResourceList, e.Purpose, e.Outcome, e.RequestId, e.Salt);

    private static AuditEventEntity Copy(AuditEventEntity e) => new()
    {
        Seq = e.Seq, Time = e.Time, ActorClient = e.ActorClient, ActorTenant = e.ActorTenant, Action = e.Action, Resources = e.Resources,
        Purpose = e.Purpose, Outcome = e.Outcome, RequestId = e.RequestId, Tenants = e.Tenants, Salt = [.. e.Salt],
        ContentDigest = [.. e.ContentDigest], PreviousHash = [.. e.PreviousHash], Hash = [.. e.Hash],
    };
}

public sealed class SqliteAuditTamperTests(SqliteFixture fixture) : AuditTamperTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresAuditTamperTests(PostgresFixture fixture) : AuditTamperTests(fixture), IClassFixture<PostgresFixture>;
