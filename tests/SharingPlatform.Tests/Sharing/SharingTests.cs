extern alias server;

using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using ServerKind = server::SharingPlatform.V1.TenantKind;

namespace SharingPlatform.Tests.Sharing;

/// <summary>What a grantee sees through agreements, through real gRPC calls, on SQLite and PostgreSQL.</summary>
public abstract class SharingTests(PlatformFixture fixture)
{
    private Task<SharingParties> PartiesAsync(ServerKind granteeKind = ServerKind.Documentation) => SharingParties.CreateAsync(fixture, granteeKind);

    private static async Task<SharingAgreement> GrantAsync(SharingParties p, SharingAgreement agreement)
    {
        using var admin = p.GrantorAdmin.Connect();
        return await admin.Sharing.CreateAgreementAsync(Agreements.Create(p.GrantorAdmin, agreement));
    }

    private static async Task PushAsync(TestClient client, params CaseRecord[] records)
    {
        using var connection = client.Connect();
        var results = await connection.Cases.PushCasesAsync(Records.Push(client, records));
        Assert.All(results.Results, r => Assert.Contains(r.Outcome, new[] { PushOutcome.Created, PushOutcome.Updated }));
    }

    private static CaseRecord Record(TestClient owner, string id, CaseStatus status = CaseStatus.Detained,
        Classification classification = Classification.Restricted, ConsentScope consent = ConsentScope.Partners)
    {
        var record = Records.Valid(owner.CaseName(id), status);
        record.Classification = classification;
        record.ConsentScope = consent;
        record.Events[0].Date = new PartialDate { Year = 2024, Month = 3, Day = 14 };
        return record;
    }

    [Fact]
    public async Task Without_an_agreement_the_grantor_is_not_found_and_nothing_is_pulled()
    {
        var p = await PartiesAsync();
        await PushAsync(p.GrantorSync, Record(p.GrantorSync, "a"));
        using var grantee = p.Grantee.Connect();

        await AssertNotFound(grantee.Cases.GetCaseAsync(new GetCaseRequest { Name = p.GrantorSync.CaseName("a") }).ResponseAsync);
        await AssertNotFound(grantee.Cases.ListCasesAsync(new ListCasesRequest { Parent = p.GrantorSync.Parent }).ResponseAsync);
        Assert.Empty((await grantee.Cases.PullAllAsync(p.Grantee.Parent)).Changes);
    }

    [Fact]
    public async Task Grantee_sees_exactly_the_matching_records_cut_to_the_field_mask_and_date_precision()
    {
        var p = await PartiesAsync();
        await PushAsync(p.GrantorSync,
            Record(p.GrantorSync, "match"),
            Record(p.GrantorSync, "released", CaseStatus.Released),
            Record(p.GrantorSync, "secret", classification: Classification.Confidential),
            Record(p.GrantorSync, "no-consent", consent: ConsentScope.None));
        var agreement = Agreements.To(p.Grantee, "status", "events");
        agreement.DatePrecision = DatePrecision.Year;
        agreement.Filter = new AgreementFilter { Statuses = { CaseStatus.Detained } };
        await GrantAsync(p, agreement);
        using var grantee = p.Grantee.Connect();

        var got = await grantee.Cases.GetCaseAsync(new GetCaseRequest { Name = p.GrantorSync.CaseName("match") });
        var listed = await grantee.Cases.ListCasesAsync(new ListCasesRequest { Parent = p.GrantorSync.Parent });
        var pulled = (await grantee.Cases.PullAllAsync(p.Grantee.Parent)).Changes;

        Assert.Equal(CaseStatus.Detained, got.Status);
        Assert.Equal(new PartialDate { Year = 2024 }, got.Events[0].Date);
        Assert.Equal("CN-LN", got.Events[0].Location.Region);
        // Fields outside the mask are absent: proto3 omits them on the wire.
        Assert.Equal("", got.SubjectToken);
        Assert.Equal("", got.Narrative);
        Assert.Null(got.Source);
        Assert.Null(got.CreateTime);
        Assert.Equal(0, got.BirthYear);
        Assert.Equal(got, Assert.Single(listed.Cases));
        Assert.Equal(got, Assert.Single(pulled).Record);
        foreach (var hidden in new[] { "released", "secret", "no-consent" })
        {
            await AssertNotFound(grantee.Cases.GetCaseAsync(new GetCaseRequest { Name = p.GrantorSync.CaseName(hidden) }).ResponseAsync);
        }
    }

    [Fact]
    public async Task Consent_scope_decides_by_grantee_kind_whatever_the_agreement_says()
    {
        var p = await PartiesAsync(ServerKind.Intergovernmental);
        await PushAsync(p.GrantorSync,
            Record(p.GrantorSync, "partners-only", consent: ConsentScope.Partners),
            Record(p.GrantorSync, "un-ok", consent: ConsentScope.Intergovernmental),
            Record(p.GrantorSync, "public", consent: ConsentScope.PublicAdvocacy));
        await GrantAsync(p, Agreements.To(p.Grantee));
        using var grantee = p.Grantee.Connect();

        var names = (await grantee.Cases.PullAllAsync(p.Grantee.Parent)).Changes.Select(c => c.Name.Split('/')[^1]).Order();

        Assert.Equal(["public", "un-ok"], names);
    }

    [Fact]
    public async Task Revocation_takes_effect_on_the_next_call_and_the_next_pull_tombstones_everything_shared()
    {
        var p = await PartiesAsync();
        await PushAsync(p.GrantorSync, Record(p.GrantorSync, "a"), Record(p.GrantorSync, "b"));
        var agreement = await GrantAsync(p, Agreements.To(p.Grantee));
        using var grantee = p.Grantee.Connect();
        var (before, cursor, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent);
        Assert.Equal(2, before.Count);

        using (var admin = p.GrantorAdmin.Connect())
        {
            var revoked = await admin.Sharing.RevokeAgreementAsync(new RevokeAgreementRequest { Name = agreement.Name });
            Assert.False(revoked.Live);
            Assert.NotNull(revoked.RevokeTime);
        }

        await AssertNotFound(grantee.Cases.GetCaseAsync(new GetCaseRequest { Name = p.GrantorSync.CaseName("a") }).ResponseAsync);
        var (after, _, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor);
        Assert.Equal(2, after.Count);
        Assert.All(after, c => Assert.Equal(TombstoneReason.NoLongerShared, c.Tombstone.Reason));
        Assert.Empty((await grantee.Cases.PullAllAsync(p.Grantee.Parent)).Changes);
    }

    [Fact]
    public async Task Narrowing_tombstones_only_what_falls_out_and_a_new_agreement_backfills()
    {
        var p = await PartiesAsync();
        await PushAsync(p.GrantorSync, Record(p.GrantorSync, "detained"), Record(p.GrantorSync, "released", CaseStatus.Released));
        using var grantee = p.Grantee.Connect();
        var (_, start, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent);

        var wide = await GrantAsync(p, Agreements.To(p.Grantee));
        var (backfill, cursor, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, start);
        var narrow = Agreements.To(p.Grantee);
        narrow.Filter = new AgreementFilter { Statuses = { CaseStatus.Detained } };
        await GrantAsync(p, narrow);
        using (var admin = p.GrantorAdmin.Connect())
        {
            await admin.Sharing.RevokeAgreementAsync(new RevokeAgreementRequest { Name = wide.Name });
        }

        var (narrowed, _, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor);

        Assert.Equal(["detained", "released"], backfill.Select(c => c.Name.Split('/')[^1]).Order());
        Assert.Equal(TombstoneReason.NoLongerShared, Assert.Single(narrowed, c => c.Name.EndsWith("/released", StringComparison.Ordinal)).Tombstone.Reason);
        Assert.NotNull(Assert.Single(narrowed, c => c.Name.EndsWith("/detained", StringComparison.Ordinal)).Record);
    }

    [Fact]
    public async Task A_record_changed_out_of_the_filter_is_tombstoned_and_one_never_shared_is_never_named()
    {
        var p = await PartiesAsync();
        var shared = Record(p.GrantorSync, "shared");
        var hidden = Record(p.GrantorSync, "hidden", CaseStatus.Released);
        await PushAsync(p.GrantorSync, shared, hidden);
        var agreement = Agreements.To(p.Grantee);
        agreement.Filter = new AgreementFilter { Statuses = { CaseStatus.Detained } };
        await GrantAsync(p, agreement);
        using var grantee = p.Grantee.Connect();
        var (_, cursor, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent);

        using (var owner = p.GrantorSync.Connect())
        {
            var current = await owner.Cases.GetCaseAsync(new GetCaseRequest { Name = shared.Name });
            current.Status = CaseStatus.Repatriated;
            var again = await owner.Cases.GetCaseAsync(new GetCaseRequest { Name = hidden.Name });
            again.Status = CaseStatus.Safe;
            await owner.Cases.PushCasesAsync(Records.Push(p.GrantorSync, current, again));
        }

        var (changes, _, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor);

        var change = Assert.Single(changes);
        Assert.Equal(shared.Name, change.Name);
        Assert.Equal(TombstoneReason.NoLongerShared, change.Tombstone.Reason);
    }

    [Fact]
    public async Task Expiry_ends_sharing_without_any_write_and_the_next_pull_tombstones()
    {
        var p = await PartiesAsync();
        await PushAsync(p.GrantorSync, Record(p.GrantorSync, "a"));
        var agreement = Agreements.To(p.Grantee);
        agreement.ValidUntil = Timestamp.FromDateTime(DateTime.UtcNow.AddSeconds(2));
        await GrantAsync(p, agreement);
        using var grantee = p.Grantee.Connect();
        var (before, cursor, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent);

        await Task.Delay(TimeSpan.FromSeconds(2.5), TestContext.Current.CancellationToken);

        Assert.Single(before);
        await AssertNotFound(grantee.Cases.GetCaseAsync(new GetCaseRequest { Name = p.GrantorSync.CaseName("a") }).ResponseAsync);
        var (after, _, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor);
        Assert.Equal(TombstoneReason.NoLongerShared, Assert.Single(after).Tombstone.Reason);
    }

    [Fact]
    public async Task Several_agreements_combine_and_each_record_is_projected_by_the_widest_matching_one()
    {
        var p = await PartiesAsync();
        await PushAsync(p.GrantorSync, Record(p.GrantorSync, "detained"), Record(p.GrantorSync, "released", CaseStatus.Released));
        await GrantAsync(p, Agreements.To(p.Grantee, "status"));
        var wider = Agreements.To(p.Grantee, "status", "narrative");
        wider.Filter = new AgreementFilter { Statuses = { CaseStatus.Detained } };
        await GrantAsync(p, wider);
        using var grantee = p.Grantee.Connect();

        var detained = await grantee.Cases.GetCaseAsync(new GetCaseRequest { Name = p.GrantorSync.CaseName("detained") });
        var released = await grantee.Cases.GetCaseAsync(new GetCaseRequest { Name = p.GrantorSync.CaseName("released") });

        Assert.NotEmpty(detained.Narrative);
        Assert.Equal("", released.Narrative);
        Assert.Equal(CaseStatus.Released, released.Status);
    }

    [Fact]
    public async Task Filtering_a_shared_list_on_a_hidden_field_is_refused()
    {
        var p = await PartiesAsync();
        await GrantAsync(p, Agreements.To(p.Grantee, "events"));
        using var grantee = p.Grantee.Connect();

        var error = await Assert.ThrowsAsync<RpcException>(() => grantee.Cases.ListCasesAsync(
            new ListCasesRequest { Parent = p.GrantorSync.Parent, Statuses = { CaseStatus.Detained } }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task Only_the_grantors_admin_changes_agreements_and_only_the_parties_see_them()
    {
        var p = await PartiesAsync();
        var granteeAdmin = await fixture.CreateClientAsync(p.Grantee.TenantSlug, "tenant-admin");
        var outsiderAdmin = await fixture.CreateClientAsync(null, "tenant-admin");
        var agreement = await GrantAsync(p, Agreements.To(p.Grantee));
        using var grantee = granteeAdmin.Connect();
        using var outsider = outsiderAdmin.Connect();
        using var grantorSync = p.GrantorSync.Connect();

        var seenByGrantee = await grantee.Sharing.GetAgreementAsync(new GetAgreementRequest { Name = agreement.Name });
        var incoming = await grantee.Sharing.ListAgreementsAsync(new ListAgreementsRequest { Parent = p.Grantee.Parent, Direction = ListAgreementsRequest.Types.Direction.Incoming });
        var granteeRevoke = await Assert.ThrowsAsync<RpcException>(() => grantee.Sharing.RevokeAgreementAsync(new RevokeAgreementRequest { Name = agreement.Name }).ResponseAsync);
        var outsiderGet = await Assert.ThrowsAsync<RpcException>(() => outsider.Sharing.GetAgreementAsync(new GetAgreementRequest { Name = agreement.Name }).ResponseAsync);
        var outsiderCreate = await Assert.ThrowsAsync<RpcException>(() => outsider.Sharing.CreateAgreementAsync(Agreements.Create(p.GrantorAdmin, Agreements.To(outsiderAdmin))).ResponseAsync);
        var syncCreate = await Assert.ThrowsAsync<RpcException>(() => grantorSync.Sharing.CreateAgreementAsync(Agreements.Create(p.GrantorAdmin, Agreements.To(p.Grantee))).ResponseAsync);

        Assert.True(seenByGrantee.Live);
        Assert.Equal(agreement.Name, Assert.Single(incoming.Agreements).Name);
        Assert.Equal(StatusCode.PermissionDenied, granteeRevoke.StatusCode);
        Assert.Equal(StatusCode.NotFound, outsiderGet.StatusCode);
        Assert.Equal(StatusCode.NotFound, outsiderCreate.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, syncCreate.StatusCode);
    }

    [Fact]
    public async Task Invalid_agreements_are_refused_naming_the_field()
    {
        var p = await PartiesAsync();
        using var admin = p.GrantorAdmin.Connect();
        var cases = new (string Field, Action<SharingAgreement> Spoil)[]
        {
            ("agreement.fields", a => a.Fields.Paths.Add("name_of_mother")),
            ("agreement.purpose", a => a.Purpose = Purpose.Unspecified),
            ("agreement.valid_until", a => a.ValidUntil = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(-1))),
            ("agreement.valid_until", a => a.ValidUntil = Timestamp.FromDateTime(DateTime.UtcNow.AddYears(10))),
            ("agreement.filter", a => a.Filter = new AgreementFilter { Regions = { "Liaoning" } }),
            ("agreement.grantee", a => a.Grantee = p.GrantorAdmin.Parent),
        };

        foreach (var (field, spoil) in cases)
        {
            var agreement = Agreements.To(p.Grantee);
            spoil(agreement);
            var error = await Assert.ThrowsAsync<RpcException>(() => admin.Sharing.CreateAgreementAsync(Agreements.Create(p.GrantorAdmin, agreement)).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Equal(field, Assert.Single(error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations).Field);
        }
    }

    [Fact]
    public async Task An_interrupted_pull_that_backfilled_still_gets_every_tombstone_after_revocation()
    {
        var p = await PartiesAsync();
        await PushAsync(p.GrantorSync, Record(p.GrantorSync, "old-1"), Record(p.GrantorSync, "old-2"));
        using var grantee = p.Grantee.Connect();
        var (_, start, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent);
        await PushAsync(p.GrantorSync, Record(p.GrantorSync, "new"));
        var agreement = await GrantAsync(p, Agreements.To(p.Grantee));

        // The pull stops after one change: the grantee holds the backfill but its cursor is part way.
        var (partial, cursor, caughtUp) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, start, maxChanges: 1);
        using (var admin = p.GrantorAdmin.Connect())
        {
            await admin.Sharing.RevokeAgreementAsync(new RevokeAgreementRequest { Name = agreement.Name });
        }

        var (after, _, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor);

        Assert.False(caughtUp);
        Assert.NotEmpty(partial);
        var tombstoned = after.Where(c => c.Tombstone is not null).Select(c => c.Name).ToHashSet();
        Assert.All(partial.Where(c => c.Record is not null), c => Assert.Contains(c.Name, tombstoned));
        Assert.DoesNotContain(after, c => c.Record is not null);
    }

    [Fact]
    public async Task A_cursor_is_bound_to_its_tenant_and_cannot_be_forged()
    {
        var p = await PartiesAsync();
        await PushAsync(p.GrantorSync, Record(p.GrantorSync, "a"));
        using var owner = p.GrantorSync.Connect();
        using var grantee = p.Grantee.Connect();
        var (_, ownerCursor, _) = await owner.Cases.PullAllAsync(p.GrantorSync.Parent);
        var forged = ownerCursor[..^2] + (ownerCursor[^2] == 'A' ? "B" : "A") + ownerCursor[^1];

        var foreign = await Assert.ThrowsAsync<RpcException>(() => grantee.Cases.PullAllAsync(p.Grantee.Parent, ownerCursor));
        var tampered = await Assert.ThrowsAsync<RpcException>(() => owner.Cases.PullAllAsync(p.GrantorSync.Parent, forged));

        Assert.Equal(StatusCode.InvalidArgument, foreign.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, tampered.StatusCode);
    }

    [Fact]
    public async Task Without_linkage_each_grantee_gets_its_own_stable_tokens_and_with_linkage_the_consortium_token()
    {
        var p = await PartiesAsync();
        var second = await fixture.CreateClientAsync();
        var linked = await fixture.CreateClientAsync();
        var record = Record(p.GrantorSync, "person");
        record.RelatedSubjects.Add(new RelatedSubject { SubjectToken = Records.RandomToken(), Relation = Relation.Child });
        await PushAsync(p.GrantorSync, record);
        await GrantAsync(p, Agreements.To(p.Grantee));
        await GrantAsync(p, Agreements.To(second));
        var linkage = Agreements.To(linked);
        linkage.Linkage = true;
        await GrantAsync(p, linkage);

        async Task<CaseRecord> SeenBy(TestClient client)
        {
            using var connection = client.Connect();
            return await connection.Cases.GetCaseAsync(new GetCaseRequest { Name = record.Name });
        }

        var first = await SeenBy(p.Grantee);
        var again = await SeenBy(p.Grantee);
        var other = await SeenBy(second);
        var consortium = await SeenBy(linked);
        using var granteeConnection = p.Grantee.Connect();
        var pulled = Assert.Single((await granteeConnection.Cases.PullAllAsync(p.Grantee.Parent)).Changes).Record;

        Assert.Equal(record.SubjectToken, consortium.SubjectToken);
        Assert.NotEqual(record.SubjectToken, first.SubjectToken);
        Assert.NotEqual(record.RelatedSubjects[0].SubjectToken, first.RelatedSubjects[0].SubjectToken);
        Assert.NotEqual(first.SubjectToken, other.SubjectToken);
        Assert.Equal(first.SubjectToken, again.SubjectToken);
        Assert.Equal(first.SubjectToken, pulled.SubjectToken);
        Assert.Equal(43, first.SubjectToken.Length);
    }

    [Fact]
    public async Task No_longer_shared_tombstones_carry_no_version()
    {
        var p = await PartiesAsync();
        await PushAsync(p.GrantorSync, Record(p.GrantorSync, "a"));
        var agreement = await GrantAsync(p, Agreements.To(p.Grantee));
        using var grantee = p.Grantee.Connect();
        var (_, cursor, _) = await grantee.Cases.PullAllAsync(p.Grantee.Parent);
        using (var admin = p.GrantorAdmin.Connect())
        {
            await admin.Sharing.RevokeAgreementAsync(new RevokeAgreementRequest { Name = agreement.Name });
        }

        var tombstone = Assert.Single((await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor)).Changes).Tombstone;

        Assert.Equal("", tombstone.Etag);
    }

    private static async Task AssertNotFound(Task call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }
}

public sealed class SqliteSharingTests(SqliteFixture fixture) : SharingTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresSharingTests(PostgresFixture fixture) : SharingTests(fixture), IClassFixture<PostgresFixture>;
